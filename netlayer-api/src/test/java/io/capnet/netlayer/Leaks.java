package io.capnet.netlayer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open file descriptors, for tests that check nothing leaked. */
final class Leaks {
  private Leaks() {}

  static long openFds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asserts the fd count comes back to {@code baseline}. Closing is synchronous, but the JDK may
   * release a socket's fd a moment after close() returns when another thread was still using it.
   */
  static void assertFdsReturnTo(long baseline) throws InterruptedException {
    long now = openFds();
    for (int i = 0; i < 100 && now > baseline; i++) {
      Thread.sleep(50);
      now = openFds();
    }
    assertThat(now).as("open file descriptors (baseline %d)", baseline).isLessThanOrEqualTo(baseline);
  }
}
