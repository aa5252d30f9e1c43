package io.capnet.cli;

import static io.capnet.cli.CapnetProcesses.eventually;
import static io.capnet.cli.CapnetProcesses.fdCount;
import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code capnet switchboard} as a real process: its socket file, its signals, and bad clients. */
@Timeout(60)
class SwitchboardProcessTest {
  CapnetProcesses capnet;

  @BeforeEach
  void setUp() {
    capnet = new CapnetProcesses();
  }

  @AfterEach
  void tearDown() throws Exception {
    capnet.close();
  }

  @Test
  void listensOnA0600SocketAndPrintsItsUnixLocator() throws Exception {
    Daemon d = capnet.daemon();
    assertThat(d.locator()).startsWith("ocapn://").contains(".unix").contains("path=");
    assertThat(Files.readAttributes(d.socket(), java.nio.file.attribute.BasicFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS).isOther()).as("a socket, not a file").isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.socket(), LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rw-------");
    assertThat(d.process().stderr.awaitContains("listening on " + d.path())).isNotEmpty();
    Result ls = capnet.run("ls", "--switchboard", d.path());
    assertThat(ls.exit()).as("%s", ls).isZero();
    assertThat(ls.out()).isEmpty();
  }

  @Test
  void aModeOptionSetsTheSocketPermissions() throws Exception {
    Daemon d = capnet.daemon("--mode", "rw-rw----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.socket(), LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rw-rw----");
  }

  @Test
  void aSecondDaemonOnALiveSocketIsRefusedAndTheFirstKeepsServing() throws Exception {
    Daemon first = capnet.daemon();
    Result second = capnet.start("switchboard", first.path()).finish();
    assertThat(second.exit()).as("%s", second).isEqualTo(1);
    assertThat(second.err()).contains("capnet switchboard: ").contains("already listening on " + first.path());
    assertThat(second.out()).isEmpty();
    assertThat(first.process().process.isAlive()).isTrue();
    Result ls = capnet.run("ls", "--switchboard", first.path());
    assertThat(ls.exit()).as("the first daemon still answers: %s", ls).isZero();
  }

  @Test
  void aStaleSocketLeftByAKilledDaemonIsRemovedAndReplaced() throws Exception {
    Daemon dead = capnet.daemon();
    dead.process().process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(Files.exists(dead.socket(), LinkOption.NOFOLLOW_LINKS)).as("kill -9 leaves the socket file").isTrue();

    Daemon next = capnet.daemon();
    assertThat(next.locator()).isNotEqualTo(dead.locator());
    next.process().stderr.awaitContains("removed the stale socket " + next.path());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(next.socket(), LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rw-------");
    Result ls = capnet.run("ls", "--switchboard", next.path());
    assertThat(ls.exit()).as("%s", ls).isZero();
  }

  @Test
  void aStaleSocketsPrivateDirectoryIsRemovedWithIt() throws Exception {
    // The daemon binds in a private directory next to PATH and hard-links the socket to PATH; a
    // daemon killed with kill -9 leaves both behind, and the next one should clean up both.
    Daemon dead = capnet.daemon();
    dead.process().process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Daemon next = capnet.daemon();
    next.process().stderr.awaitContains("removed the stale socket");
    next.process().process.destroy();
    next.process().process.waitFor(15, TimeUnit.SECONDS);
    try (Stream<Path> left = Files.list(capnet.dir)) {
      assertThat(left.map(p -> p.getFileName().toString()).toList())
          .as("what the daemons left in the socket's directory after the second stopped cleanly").isEmpty();
    }
  }

  @Test
  void aRegularFileAtThePathIsRefusedAndLeftUntouched() throws Exception {
    Path file = capnet.dir.resolve("sb.sock");
    Files.writeString(file, "precious");
    Result r = capnet.start("switchboard", file.toString()).finish();
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.err()).contains(file + " exists and is not a socket");
    assertThat(Files.readString(file)).isEqualTo("precious");
    try (Stream<Path> left = Files.list(capnet.dir)) {
      assertThat(left.toList()).containsExactly(file);
    }
  }

  @Test
  void badOptionValuesAreUsageErrorsThatNameTheOptionWithoutAStackTrace() throws Exception {
    String path = capnet.dir.resolve("sb.sock").toString();
    String[][] cases = {
        {"--mode", "bogus", "--mode"},
        {"--call-deadline-ms", "0", "--call-deadline-ms"},
        {"--max-pending-connects", "0", "--max-pending-connects"}};
    java.util.List<CapnetProcess> started = new java.util.ArrayList<>();
    for (String[] c : cases) started.add(capnet.start("switchboard", c[0], c[1], path));
    for (int i = 0; i < cases.length; i++) {
      Result r = started.get(i).finish();
      assertThat(r.exit()).as("%s", r).isEqualTo(2);
      assertThat(r.err()).as("%s", r).startsWith("capnet switchboard: ").contains(cases[i][2]).doesNotContain("\tat ");
    }
    try (Stream<Path> left = Files.list(capnet.dir)) {
      assertThat(left.toList()).as("no socket made").isEmpty();
    }
  }

  @Test
  void sigtermStopsTheDaemonAndRemovesItsSocket() throws Exception {
    Daemon d = capnet.daemon();
    d.process().process.destroy(); // SIGTERM
    assertThat(d.process().process.waitFor(15, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    // The JVM exits with 128+15 when a signal ends it, whatever its shutdown hooks do: the
    // command's own return value is never reached.
    assertThat(d.process().process.exitValue()).isEqualTo(143);
    assertThat(capnet.run("switchboard", "--help").out()).as("the help tells the exit code as it is")
        .containsPattern("\\n  143 +\\S");
    assertThat(Files.exists(d.socket(), LinkOption.NOFOLLOW_LINKS)).as("the socket file is removed").isFalse();
    try (Stream<Path> left = Files.list(capnet.dir)) {
      assertThat(left.toList()).as("nothing left next to the socket").isEmpty();
    }
  }

  @Test
  void aClientSpeakingHttpIsDisconnectedAndTheDaemonKeepsServing() throws Exception {
    Daemon d = capnet.daemon();
    assertThat(capnet.run("ls", "--switchboard", d.path()).exit()).isZero(); // warm up the daemon's fds
    int baseline = fdCount(d.pid());

    byte[] answer;
    try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      raw.connect(UnixDomainSocketAddress.of(d.socket()));
      raw.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      CompletableFuture<byte[]> untilEof = CompletableFuture.supplyAsync(() -> {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try {
          while (raw.read(buf) >= 0) {
            got.write(buf.array(), 0, buf.position());
            buf.clear();
          }
        } catch (java.io.IOException e) {
          // A reset counts as a disconnect too.
        }
        return got.toByteArray();
      });
      answer = untilEof.get(10, TimeUnit.SECONDS);
    }
    assertThat(answer.length).as("bytes sent back before the disconnect").isLessThan(4096);
    String log = d.process().stderr.awaitContains("maxValueBytes");
    assertThat(log).contains("frame declares 1195725856 bytes");

    Result ls = capnet.run("ls", "--switchboard", d.path());
    assertThat(ls.exit()).as("%s", ls).isZero();
    assertThat(eventually(Duration.ofSeconds(5), () -> fdCount(d.pid()) <= baseline))
        .as("the daemon's fds return to %d (now %d)", baseline, fdCount(d.pid())).isTrue();
  }

  @Test
  void aClientSendingAGarbageFrameIsDisconnected() throws Exception {
    Daemon d = capnet.daemon();
    assertThat(capnet.run("ls", "--switchboard", d.path()).exit()).isZero(); // warm up the daemon's fds
    int baseline = fdCount(d.pid());
    try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      raw.connect(UnixDomainSocketAddress.of(d.socket()));
      // A well-formed frame header (5 bytes, no fds) around bytes that are neither CBOR nor Syrup CapTP.
      raw.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 5, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
      // How the read ended. The daemon has read all ten bytes when it closes, so it ends with a
      // clean EOF, not a reset. The read has no timeout: a daemon that kept the connection open
      // leaves the future unfinished and get() below throws TimeoutException.
      CompletableFuture<String> ended = CompletableFuture.supplyAsync(() -> {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try {
          while (raw.read(buf) >= 0) buf.clear();
          return "eof";
        } catch (java.io.IOException e) {
          return "reset";
        }
      });
      assertThat(ended.get(10, TimeUnit.SECONDS)).as("how the daemon ended the connection").isEqualTo("eof");
    }
    // The session ends for the garbage, not for some other reason.
    assertThat(d.process().stderr.awaitContains("malformed or oversized frame"))
        .contains("ended: malformed or oversized frame: unexpected-byte at byte 0");
    Result ls = capnet.run("ls", "--switchboard", d.path());
    assertThat(ls.exit()).as("%s", ls).isZero();
    assertThat(eventually(Duration.ofSeconds(5), () -> fdCount(d.pid()) <= baseline))
        .as("the daemon's fds return to %d (now %d)", baseline, fdCount(d.pid())).isTrue();
  }
}
