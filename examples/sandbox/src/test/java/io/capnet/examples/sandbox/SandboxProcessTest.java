package io.capnet.examples.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capnet.examples.harness.Processes;
import io.capnet.examples.harness.Processes.Proc;
import io.capnet.unix.Switchboard;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * The sandboxed child as real processes: a {@code capnet switchboard} daemon, the db server, and
 * the parent, which runs the probe under {@code capnet run --sandbox} (bubblewrap) with only
 * {@code CLIENT_CONNECT} to {@code {"svc":"db"}}. The listeners the probe tries are opened here,
 * outside, and shown to be reachable from outside first.
 */
@Timeout(180)
class SandboxProcessTest {
  Processes processes;
  final List<AutoCloseable> listeners = new java.util.ArrayList<>();

  @BeforeEach
  void setUp() {
    assumeTrue(System.getProperty("os.name").startsWith("Linux"), "capnet run --sandbox is Linux only");
    processes = new Processes();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable l : listeners) l.close();
    if (processes != null) processes.close();
  }

  private static void assumeBwrap() {
    boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "bwrap")));
    assumeTrue(found, "bwrap is not installed: the sandbox tests need Debian's bubblewrap package"
        + " (apt-get install bubblewrap; .ci/run installs it when run as root)");
  }

  /** Accepts and closes connections on a thread of its own, counting them. */
  private AtomicInteger counting(ServerSocketChannel server) {
    AtomicInteger accepted = new AtomicInteger();
    listeners.add(server);
    Thread.ofPlatform().daemon(true).start(() -> {
      try {
        while (true) {
          server.accept().close();
          accepted.incrementAndGet();
        }
      } catch (IOException e) {
        // closed at the end of the test
      }
    });
    return accepted;
  }

  @Test
  void theChildReachesTheDbThroughItsHandleAndNothingElse() throws Exception {
    assumeBwrap();
    processes.switchboard();
    Proc db = processes.java(Map.of(), Main.class.getName(), "db", processes.socket().toString());
    db.stdout.awaitLine("db serving {\"svc\":\"db\"}");

    ServerSocketChannel tcp = ServerSocketChannel.open();
    tcp.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    AtomicInteger tcpAccepted = counting(tcp);
    int port = ((java.net.InetSocketAddress) tcp.getLocalAddress()).getPort();
    Path otherPath = processes.dir.resolve("other.sock");
    ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    other.bind(UnixDomainSocketAddress.of(otherPath));
    AtomicInteger otherAccepted = counting(other);
    String abstractName = "capnet-sandbox-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    AFUNIXServerSocketChannel abstractServer = AFUNIXServerSocketChannel.open();
    abstractServer.bind(AFUNIXSocketAddress.inAbstractNamespace(abstractName));
    AtomicInteger abstractAccepted = counting(abstractServer);
    Path written = processes.dir.resolve("written-by-the-probe");

    // From outside, each one is reachable: a failure inside is the sandbox's doing.
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      assertThat(s.isConnected()).isTrue();
    }
    SocketChannel.open(UnixDomainSocketAddress.of(otherPath)).close();
    try (AFUNIXSocketChannel c = AFUNIXSocketChannel.open()) {
      c.connect(AFUNIXSocketAddress.inAbstractNamespace(abstractName));
    }
    assertThat(Processes.eventually(Duration.ofSeconds(10),
        () -> tcpAccepted.get() == 1 && otherAccepted.get() == 1 && abstractAccepted.get() == 1)).isTrue();

    Proc parent = processes.java(Map.of(), Main.class.getName(), "parent", processes.socket().toString(),
        "tcp:127.0.0.1:" + port, "unix:" + otherPath, "unix:@" + abstractName, "write:" + written);
    parent.stdout.awaitLine("parent: the sandboxed child exited with 0");
    assertThat(parent.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(parent.process.exitValue()).isZero();

    String socket = processes.socket().toAbsolutePath().toString();
    List<String> lines = parent.stdout.lines();
    assertThat(lines).as(parent.stderr.text()).hasSize(14);
    assertThat(lines.subList(0, 6)).containsExactly(
        "sockets held at start: fds [3]",
        "handle from CAPNET_SWITCHBOARD_FD=3: rights [CLIENT_CONNECT], out {\"svc\":\"db\"}",
        "connect {} -> {\"svc\":\"db\"}: sent \"ping\", got \"db: ping\"",
        "serve {\"svc\":\"db\"}: refused: PERMISSION_DENIED: this handle lacks the right SERVER_START; it has [CLIENT_CONNECT]",
        "connect {\"svc\":\"web\"}: refused: PERMISSION_DENIED: label 'svc' is fixed to 'db' by this handle's"
            + " out-labels; it cannot become 'web'",
        "list {}: refused: PERMISSION_DENIED: this handle lacks the right LIST; it has [CLIENT_CONNECT]");
    // A loopback connect meets the sandbox's own, empty, network namespace.
    assertThat(lines.get(6)).startsWith("tcp:127.0.0.1:" + port + ": blocked: ConnectException");
    // Neither file-system socket exists in there; abstract names belong to a network namespace.
    assertThat(lines.get(7)).startsWith("unix:" + otherPath + ": blocked: SocketException: No such file");
    assertThat(lines.get(8)).startsWith("unix:@" + abstractName + ": blocked: ").endsWith("Connection refused");
    assertThat(lines.get(9)).startsWith("write:" + written + ": blocked: ");
    assertThat(lines.get(10)).startsWith("unix:" + socket + ": blocked: SocketException: No such file");
    assertThat(lines.get(11)).matches("write:/tmp/capnet-probe-[0-9]+: blocked: .*Read-only file system");
    assertThat(lines.subList(12, 14)).containsExactly("probe done", "parent: the sandboxed child exited with 0");

    assertThat(tcpAccepted.get()).as("connections that reached the TCP listener").isEqualTo(1);
    assertThat(otherAccepted.get()).as("connections that reached the other unix socket").isEqualTo(1);
    assertThat(abstractAccepted.get()).as("connections that reached the abstract socket").isEqualTo(1);
    assertThat(written).doesNotExist();
    // The daemon's socket was there all along, outside.
    try (Switchboard sb = Switchboard.open(processes.socket())) {
      assertThat(sb.list(io.capnet.unix.Labels.of("svc", "db"))).hasSize(1);
    }
    assertThat(processesNaming(abstractName)).as("processes left over").isEmpty();
  }

  @Test
  void killingCapnetRunKillsTheSandboxedChild() throws Exception {
    assumeBwrap();
    processes.switchboard();
    processes.java(Map.of(), Main.class.getName(), "db", processes.socket().toString())
        .stdout.awaitLine("db serving {\"svc\":\"db\"}");
    Proc parent = processes.java(Map.of(), Main.class.getName(), "parent", processes.socket().toString(), "hold");
    parent.stdout.awaitLine("hold: holding until stdin ends");
    ProcessHandle run = parent.process.children()
        .filter(p -> p.info().commandLine().orElse("").contains("io.capnet.cli.Capnet run")).findFirst().orElseThrow();
    List<ProcessHandle> sandboxed = run.descendants().toList();
    assertThat(sandboxed).as("bwrap and the probe under it").isNotEmpty();

    assertThat(run.destroyForcibly()).isTrue();
    assertThat(Processes.eventually(Duration.ofSeconds(20), () -> sandboxed.stream().noneMatch(ProcessHandle::isAlive)))
        .as("the sandbox dies with capnet run (--die-with-parent)").isTrue();
    parent.stdout.awaitLine("parent: the sandboxed child exited with 137");
    assertThat(parent.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void withoutBwrapTheSandboxStopsAndNamesThePackage() throws Exception {
    // A PATH with no bwrap on it; the JVM itself is started by its full path.
    Proc run = processes.java(Map.of("PATH", processes.dir.toString()), "io.capnet.cli.Capnet", "run",
        "--switchboard", processes.socket().toString(), "--sandbox", "--rights", "CLIENT_CONNECT", "--", "/bin/true");
    assertThat(run.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(run.process.exitValue()).isEqualTo(3);
    run.stderr.awaitLine(l -> l.startsWith("capnet run: "), "the refusal");
    assertThat(run.stderr.text()).contains("bwrap").contains("bubblewrap").contains("apt-get install bubblewrap");
  }

  /** Live processes whose command line holds {@code marker}. */
  private static List<Long> processesNaming(String marker) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(marker))
        .map(ProcessHandle::pid).toList();
  }
}
