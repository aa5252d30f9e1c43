package io.capnet.bench;

import io.capnet.switchboard.SwitchboardDaemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/** What the unix benchmarks share: a daemon in a temporary directory, quiet logs, framed I/O. */
final class UnixBenchSupport {
  private UnixBenchSupport() {}

  // Held so the level set here is not collected with a weakly held logger.
  private static final Logger CAPNET = Logger.getLogger("io.capnet");

  /** The daemon logs a line per connection; that would bury JMH's output and cost time. */
  static void quietLogs() {
    CAPNET.setLevel(Level.WARNING);
  }

  static Path tempDir() throws IOException {
    return Files.createTempDirectory("capnet-bench-");
  }

  static SwitchboardDaemon daemon(Path dir) throws IOException {
    quietLogs();
    return SwitchboardDaemon.builder().socketPath(dir.resolve("switchboard.sock")).start();
  }

  static void delete(Path dir) {
    if (dir == null) return;
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void closeQuietly(AutoCloseable c) {
    if (c == null) return;
    try {
      c.close();
    } catch (Exception e) {
      // teardown: nothing to do
    }
  }

  /** Reads exactly {@code b.remaining()} bytes; false at end of stream. */
  static boolean readFully(ByteChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) return false;
    }
    return true;
  }

  static void writeFully(ByteChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) ch.write(b);
  }
}
