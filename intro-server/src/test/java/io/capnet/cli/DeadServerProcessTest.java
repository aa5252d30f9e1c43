package io.capnet.cli;

import static io.capnet.cli.CapnetProcesses.eventually;
import static io.capnet.cli.CapnetProcesses.fdCount;
import static io.capnet.cli.CapnetProcesses.kill;
import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Servers that die (kill -9) or stop answering (SIGSTOP): clients get an error instead of
 * hanging, and the daemon gives back every descriptor.
 */
@Timeout(60)
class DeadServerProcessTest {
  static final int DEADLINE_MS = 3000;
  // One daemon for the class, warmed up once; each test measures its baseline before its server
  // starts and must leave the daemon back at it.
  static CapnetProcesses daemons;
  static Daemon daemon;
  CapnetProcesses capnet;

  @BeforeAll
  static void startDaemon() throws Exception {
    daemons = new CapnetProcesses();
    daemon = daemons.daemon("--call-deadline-ms", Integer.toString(DEADLINE_MS));
    try (CapnetProcesses warmUp = new CapnetProcesses()) {
      warmUp(warmUp, daemon);
    }
  }

  @AfterAll
  static void stopDaemon() throws Exception {
    if (daemons != null) daemons.close();
  }

  @BeforeEach
  void setUp() {
    capnet = new CapnetProcesses();
  }

  @AfterEach
  void tearDown() throws Exception {
    capnet.close();
  }

  private CapnetProcess server(Daemon d, String labels) {
    CapnetProcess server = capnet.start("cat", "-l", "--switchboard", d.path(), labels);
    server.stderr.awaitContains("serving: ");
    return server;
  }

  private CapnetProcess client(Daemon d, String labels) {
    return capnet.start("cat", "--switchboard", d.path(), labels);
  }

  private static void killNine(CapnetProcess p) throws InterruptedException {
    p.process.destroyForcibly();
    assertThat(p.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * Takes the daemon through a full round (a server, a client, an exchange, a kill -9 and a
   * refused connect), so that jars and lazily opened resources are open before any baseline.
   */
  private static void warmUp(CapnetProcesses capnet, Daemon d) throws Exception {
    CapnetProcess s = capnet.start("cat", "-l", "--switchboard", d.path(), "{\"svc\":\"warm\"}").closeStdin();
    s.stderr.awaitContains("serving: ");
    Result c = capnet.start("cat", "--switchboard", d.path(), "{\"svc\":\"warm\"}").write("x").closeStdin().finish();
    assertThat(c.exit()).as("%s", c).isZero();
    s.finish();
    CapnetProcess s2 = capnet.start("cat", "-l", "--switchboard", d.path(), "{\"svc\":\"warm\"}");
    s2.stderr.awaitContains("serving: ");
    killNine(s2);
    capnet.run("cat", "--switchboard", d.path(), "{\"svc\":\"warm\"}");
  }

  /** The daemon's fd count with no client or server left: the baseline. */
  private int baseline() throws Exception {
    assertThat(eventually(Duration.ofSeconds(5), () -> capnet.run("ls", "--switchboard", daemon.path()).out().isEmpty()))
        .as("no servers registered").isTrue();
    return CapnetProcesses.settledFdCount(daemon.pid());
  }


  private static void assertFdsReturnTo(Daemon d, int baseline) {
    assertThat(eventually(Duration.ofSeconds(5), () -> fdCount(d.pid()) <= baseline))
        .as("the daemon's fd count returns to its baseline %d (it is %d)", baseline, fdCount(d.pid())).isTrue();
  }

  @Test
  void aClientOfAServerKilledAfterRegisteringGetsAnErrorAndTheDaemonReleasesItsFds() throws Exception {
    int baseline = baseline();
    CapnetProcess server = server(daemon, "{\"svc\":\"doomed\"}");
    killNine(server);
    long start = System.nanoTime();
    Result r = client(daemon, "{\"svc\":\"doomed\"}").closeStdin().finish(Duration.ofSeconds(10));
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLine("capnet cat: ")).as("%s", r).matches("capnet cat: (NOT_FOUND|UNAVAILABLE): .*");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    // The warm-up's kill logged a departure too: only the doomed server's own line counts.
    daemon.process().stderr.awaitLine(l -> l.contains("departed") && l.contains("\"svc\":\"doomed\""),
        "the doomed server's departure line");
    assertFdsReturnTo(daemon, baseline);
  }

  @Test
  void aClientOfAStoppedServerIsToldUnavailableAtTheCallDeadline() throws Exception {
    int baseline = baseline();
    CapnetProcess server = server(daemon, "{\"svc\":\"frozen\"}");
    kill("STOP", server.pid());
    long start = System.nanoTime();
    Result r = client(daemon, "{\"svc\":\"frozen\"}").finish(Duration.ofSeconds(15));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLine("capnet cat: ")).as("%s", r)
        .startsWith("capnet cat: UNAVAILABLE: ").contains("within " + DEADLINE_MS + " ms");
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(DEADLINE_MS - 100)).isLessThan(Duration.ofSeconds(12));

    killNine(server);
    assertFdsReturnTo(daemon, baseline);
  }

  @Test
  void aServerKilledWhileAClientWaitsOnItFailsTheClientBeforeTheDeadline() throws Exception {
    int baseline = baseline();
    CapnetProcess server = server(daemon, "{\"svc\":\"killed-mid-connect\"}");
    kill("STOP", server.pid());
    int withServer = CapnetProcesses.settledFdCount(daemon.pid());
    CapnetProcess client = client(daemon, "{\"svc\":\"killed-mid-connect\"}");
    // The client's connection is one more fd; the pending connect holds the client's end of the
    // socket pair: a second one.
    assertThat(eventually(Duration.ofSeconds(10), () -> fdCount(daemon.pid()) >= withServer + 2))
        .as("the client's connect reaches the daemon (fds %d, with the server %d)", fdCount(daemon.pid()), withServer)
        .isTrue();
    long start = System.nanoTime();
    killNine(server);
    Result r = client.finish(Duration.ofSeconds(15));
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLine("capnet cat: ")).as("told by the server's death, not by the deadline: %s", r)
        .startsWith("capnet cat: UNAVAILABLE: ").contains("did not take the connection: ");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(DEADLINE_MS));
    assertFdsReturnTo(daemon, baseline);
  }
}
