package io.capnet.cli;

import static io.capnet.cli.CapnetProcesses.eventually;
import static io.capnet.cli.CapnetProcesses.fdCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Result;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXDatagramChannel;

/**
 * {@code capnet switchboard} as systemd runs it. The test plays systemd: a small Python program
 * binds the listening socket, puts it on fd 3, sets {@code LISTEN_FDS} and {@code LISTEN_PID} to
 * its own pid and execs the daemon's JVM (exec keeps the pid, so the variables name the daemon,
 * as systemd's do). Java cannot do this itself: a {@code ProcessBuilder} child gets no fd above 2.
 * The test binds its own {@code NOTIFY_SOCKET} and reads what the daemon sends there.
 */
@Timeout(60)
class SystemdProcessTest {
  /** argv: socket path, LISTEN_PID ("self" or a number), LISTEN_FDS, then the command to exec. */
  private static final String STAND_IN = """
      import os, socket, sys
      path, pid, count, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
      s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
      s.bind(path)
      os.chmod(path, 0o600)
      s.listen(64)
      fd = s.detach()
      if fd != 3:
          os.dup2(fd, 3)
          os.close(fd)
      os.set_inheritable(3, True)
      for extra in range(4, 3 + count):
          os.dup2(3, extra)
      os.environ["LISTEN_FDS"] = str(count)
      os.environ["LISTEN_PID"] = str(os.getpid()) if pid == "self" else pid
      os.execvp(cmd[0], cmd)
      """;

  CapnetProcesses capnet;
  String python;
  Path standIn;
  AFUNIXDatagramChannel notifications;

  @BeforeEach
  void setUp() throws IOException {
    // A real binary, not a wrapper that might fork: the pid that execs java must be the one that set LISTEN_PID.
    python = Stream.of("/usr/bin/python3", "/usr/local/bin/python3").filter(p -> Files.isExecutable(Path.of(p)))
        .findFirst().orElse(null);
    assumeTrue(python != null, "python3 plays systemd's part in these tests and is not in /usr/bin or /usr/local/bin");
    capnet = new CapnetProcesses();
    standIn = capnet.dir.resolve("systemd.py");
    Files.writeString(standIn, STAND_IN);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (notifications != null) notifications.close();
    if (capnet != null) capnet.close();
  }

  /** A datagram socket at {@code address} (a path or {@code @name}), as systemd's notify socket. */
  private String bindNotifySocket(String address) throws IOException {
    notifications = AFUNIXDatagramChannel.open();
    notifications.bind(SystemdNotify.address(address));
    notifications.configureBlocking(false);
    return address;
  }

  /** The next notification, waiting at most {@link CapnetProcesses#WAIT}. */
  private String nextNotification() throws IOException {
    try (Selector selector = notifications.provider().openSelector()) {
      notifications.register(selector, SelectionKey.OP_READ);
      long end = System.nanoTime() + CapnetProcesses.WAIT.toNanos();
      while (true) {
        List<String> queued = queuedNotifications(1);
        if (!queued.isEmpty()) return queued.get(0);
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (left <= 0) throw new AssertionError("no notification within " + CapnetProcesses.WAIT);
        selector.select(left);
        selector.selectedKeys().clear();
      }
    }
  }

  /** What is already queued on the notify socket, without waiting. */
  private List<String> queuedNotifications() throws IOException {
    return queuedNotifications(Integer.MAX_VALUE);
  }

  private List<String> queuedNotifications(int max) throws IOException {
    List<String> all = new ArrayList<>();
    ByteBuffer buf = ByteBuffer.allocate(4096);
    while (all.size() < max) {
      buf.clear();
      // junixsocket returns null, not the address, for a sender with no name, as sd_notify's is;
      // the position tells whether a datagram came (the daemon never sends an empty one).
      notifications.receive(buf);
      if (buf.position() == 0) break;
      all.add(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
    }
    return all;
  }

  /** Starts {@code capnet args...} through the stand-in, with a socket at {@code socket} on fd 3. */
  private CapnetProcess activated(Path socket, String listenPid, int listenFds, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of(python, standIn.toString(), socket.toString(), listenPid,
        Integer.toString(listenFds)));
    cmd.addAll(CapnetProcesses.command(args));
    return capnet.start(env, cmd);
  }

  private static String fdTarget(long pid, int fd) throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
  }


  @Test
  void anActivatedDaemonServesFd3SaysReadyServesClientsAndSaysStoppingOnSigterm() throws Exception {
    Path socket = capnet.dir.resolve("activated.sock");
    String notify = bindNotifySocket(capnet.dir.resolve("notify").toString());
    CapnetProcess daemon = activated(socket, "self", 1, Map.of("NOTIFY_SOCKET", notify), "switchboard");

    assertThat(nextNotification()).isEqualTo("READY=1");
    String locator = daemon.stdout.awaitLine(l -> l.startsWith("ocapn://"), "the daemon's locator line");
    assertThat(locator).contains(".unix").contains("path=");
    assertThat(daemon.stderr.awaitContains("listening on " + socket)).as("it says where it listens").isNotEmpty();
    assertThat(fdTarget(daemon.pid(), 3)).as("fd 3 is the inherited socket").startsWith("socket:[");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)))
        .as("the socket file is the stand-in's, untouched").isEqualTo("rw-------");

    Result ls = capnet.run("ls", "--switchboard", socket.toString());
    assertThat(ls.exit()).as("%s", ls).isZero();
    assertThat(ls.out()).isEmpty();
    int baseline = CapnetProcesses.settledFdCount(daemon.pid());

    CapnetProcess server = capnet.start("cat", "-l", "--switchboard", socket.toString(), "{\"svc\":\"echo\"}");
    server.stderr.awaitContains("serving: ");
    Result listed = capnet.run("ls", "--switchboard", socket.toString());
    assertThat(listed.out()).as("%s", listed).contains("\"svc\":\"echo\"");
    CapnetProcess client = capnet.start("cat", "--switchboard", socket.toString(), "{\"svc\":\"echo\"}");
    client.write("through the activated socket\n");
    server.stdout.awaitContains("through the activated socket\n");
    server.write("and back\n");
    client.stdout.awaitContains("and back\n"); // only now may the client's stdin end (issue 13's half-close race)
    client.closeStdin();
    server.closeStdin();
    Result s = server.finish();
    Result c = client.finish();
    assertThat(s.exit()).as("%s", s).isZero();
    assertThat(c.exit()).as("%s", c).isZero();
    assertThat(s.out()).isEqualTo("through the activated socket\n");
    assertThat(c.out()).isEqualTo("and back\n");
    assertThat(eventually(Duration.ofSeconds(10), () -> fdCount(daemon.pid()) <= baseline))
        .as("the daemon's fd count returns to %d once its clients are gone (it is %d)", baseline, fdCount(daemon.pid()))
        .isTrue();
    assertThat(queuedNotifications()).as("nothing else was sent while serving").isEmpty();

    // SIGTERM, as systemctl stop sends. Not Process.destroy(): it also closes our ends of the
    // daemon's pipes, and what the daemon says while stopping would be lost.
    CapnetProcesses.kill("TERM", daemon.pid());
    assertThat(nextNotification()).isEqualTo("STOPPING=1");
    assertThat(daemon.process.waitFor(15, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    assertThat(daemon.process.exitValue()).isEqualTo(143);
    assertThat(daemon.stderr.awaitContains("stopped;"))
        .contains("capnet switchboard: stopped; the inherited socket stays with whoever passed it");
    assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS))
        .as("the socket file belongs to systemd, which keeps listening on it: not removed").isTrue();
    assertThat(queuedNotifications()).isEmpty();
  }

  @Test
  void aDaemonOnAPathNotifiesAnAbstractNotifySocket() throws Exception {
    String notify = bindNotifySocket("@capnet-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    CapnetProcess daemon = capnet.start(Map.of("NOTIFY_SOCKET", notify),
        CapnetProcesses.command("switchboard", capnet.dir.resolve("sb.sock").toString()));
    assertThat(nextNotification()).isEqualTo("READY=1");
    assertThat(capnet.run("ls", "--switchboard", capnet.dir.resolve("sb.sock").toString()).exit()).isZero();
    CapnetProcesses.kill("TERM", daemon.pid());
    assertThat(nextNotification()).isEqualTo("STOPPING=1");
    assertThat(daemon.process.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(daemon.stderr.awaitContains("stopped;")).contains("capnet switchboard: stopped; removed " + capnet.dir.resolve("sb.sock"));
  }

  @Test
  void variablesForAnotherPidAreIgnoredSoWithoutAPathItIsAUsageError() throws Exception {
    bindNotifySocket(capnet.dir.resolve("notify").toString());
    CapnetProcess daemon = activated(capnet.dir.resolve("activated.sock"), "1", 1,
        Map.of("NOTIFY_SOCKET", capnet.dir.resolve("notify").toString()), "switchboard");
    Result r = daemon.finish();
    assertThat(r.exit()).as("%s", r).isEqualTo(2);
    assertThat(r.errLine("capnet switchboard:")).isEqualTo("capnet switchboard: give PATH or --listen-fd N, or start it"
        + " by socket activation (LISTEN_PID=1 is another process (this is pid " + daemon.pid()
        + "), so its sockets are not for this one)");
    assertThat(r.out()).isEmpty();
    assertThat(queuedNotifications()).as("never ready").isEmpty();
  }

  @Test
  void variablesForAnotherPidAreIgnoredAndAGivenPathIsServed() throws Exception {
    Path path = capnet.dir.resolve("own.sock");
    CapnetProcess daemon = activated(capnet.dir.resolve("activated.sock"), "1", 1, Map.of(),
        "switchboard", path.toString());
    String locator = daemon.stdout.awaitLine(l -> l.startsWith("ocapn://"), "the daemon's locator line");
    assertThat(locator).contains("own.sock").doesNotContain("activated.sock");
    assertThat(daemon.stderr.awaitContains("listening on " + path)).isNotEmpty();
    Result ls = capnet.run("ls", "--switchboard", path.toString());
    assertThat(ls.exit()).as("%s", ls).isZero();
  }

  @Test
  void anyCountButOneSocketIsRefusedNamingLISTEN_FDS() throws Exception {
    Result two = activated(capnet.dir.resolve("a.sock"), "self", 2, Map.of(), "switchboard").finish();
    assertThat(two.exit()).as("%s", two).isEqualTo(1);
    assertThat(two.errLine("capnet switchboard:")).isEqualTo("capnet switchboard: LISTEN_FDS=2: the Switchboard"
        + " serves exactly one listening socket (fd 3); give its socket unit one ListenStream=");
    Result zero = activated(capnet.dir.resolve("b.sock"), "self", 0, Map.of(), "switchboard").finish();
    assertThat(zero.exit()).as("%s", zero).isEqualTo(1);
    assertThat(zero.errLine("capnet switchboard:")).startsWith("capnet switchboard: LISTEN_FDS=0: ");
  }

  @Test
  void activationTogetherWithAPathIsAUsageErrorButListenFd3IsTheSameSocket() throws Exception {
    Path path = capnet.dir.resolve("own.sock");
    Result both = activated(capnet.dir.resolve("a.sock"), "self", 1, Map.of(), "switchboard", path.toString()).finish();
    assertThat(both.exit()).as("%s", both).isEqualTo(2);
    assertThat(both.errLine("capnet switchboard:")).isEqualTo("capnet switchboard: LISTEN_FDS=1 and LISTEN_PID"
        + " (this process) pass a socket on fd 3, and PATH " + path + " was given too; give one");
    assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).as("nothing bound at PATH").isFalse();

    Path socket = capnet.dir.resolve("b.sock");
    CapnetProcess same = activated(socket, "self", 1, Map.of(), "switchboard", "--listen-fd", "3");
    same.stdout.awaitLine(l -> l.startsWith("ocapn://"), "the daemon's locator line");
    assertThat(capnet.run("ls", "--switchboard", socket.toString()).exit()).isZero();
  }

  @Test
  void runRemovesTheActivationVariablesFromItsChild() throws Exception {
    Path path = capnet.daemon().socket();
    CapnetProcess run = capnet.start(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "1", "LISTEN_FDNAMES", "capnet"),
        CapnetProcesses.command("run", "--switchboard", path.toString(), "--rights", "LIST", "--", "/bin/sh", "-c",
            "echo \"${LISTEN_FDS-unset} ${LISTEN_PID-unset} ${LISTEN_FDNAMES-unset} ${CAPNET_SWITCHBOARD:+handle}\""));
    Result r = run.closeStdin().finish();
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(r.out()).isEqualTo("unset unset unset handle\n");
  }
}
