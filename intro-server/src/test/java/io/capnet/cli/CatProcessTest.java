package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code capnet cat} server and client as separate processes against a daemon process. */
@Timeout(60)
class CatProcessTest {
  // One daemon for the class; every test uses labels of its own, and its processes end with it.
  static CapnetProcesses daemons;
  static Daemon daemon;
  CapnetProcesses capnet;

  @BeforeAll
  static void startDaemon() {
    daemons = new CapnetProcesses();
    daemon = daemons.daemon();
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

  /** Starts {@code cat -l labels} and waits until it is registered. */
  private CapnetProcess server(String labels) {
    CapnetProcess server = capnet.start("cat", "-l", "--switchboard", daemon.path(), labels);
    server.stderr.awaitContains("serving: ");
    return server;
  }

  private CapnetProcess client(String labels) {
    return capnet.start("cat", "--switchboard", daemon.path(), labels);
  }

  @Test
  void bytesFlowBothWaysAndEachSideEndsWhenBothDirectionsHave() {
    CapnetProcess server = server("{\"svc\":\"echo-both-ways\"}");
    CapnetProcess client = client("{\"svc\":\"echo-both-ways\"}");

    client.write("hello from the client\n");
    server.stdout.awaitContains("hello from the client\n");
    server.write("hello from the server\n");
    client.stdout.awaitContains("hello from the server\n");
    client.write("second line\n");
    server.stdout.awaitContains("second line\n");

    client.closeStdin(); // half-close: the server's stdout ends, but it may still answer
    assertThat(awaitEnd(server.stdout)).as("the server's stdout ends with the client's input").isTrue();
    assertThat(server.process.isAlive()).as("its own stdin is still open").isTrue();
    server.write("after your end\n").closeStdin();
    Result s = server.finish();
    Result c = client.finish();
    assertThat(s.exit()).as("%s", s).isZero();
    assertThat(c.exit()).as("%s", c).isZero();
    assertThat(s.out()).isEqualTo("hello from the client\nsecond line\n");
    assertThat(c.out()).isEqualTo("hello from the server\nafter your end\n");
  }

  @Test
  void aClientWhoseServerFinishedFirstSeesStdoutEndAndStillSendsItsLateInput() {
    // The connection's end ends the client's stdout, but the client's own stdin still goes out.
    CapnetProcess server = server("{\"svc\":\"echo-server-eof\"}");
    CapnetProcess client = client("{\"svc\":\"echo-server-eof\"}");
    client.stderr.awaitContains("connected: ");
    server.write("last words\n").closeStdin();
    assertThat(awaitEnd(client.stdout)).as("the client's stdout ends with the connection").isTrue();
    assertThat(client.stdout.text()).isEqualTo("last words\n");
    assertThat(client.process.isAlive()).as("its stdin is still open").isTrue();

    client.write("a late reply\n").closeStdin();
    Result s = server.finish();
    Result c = client.finish();
    assertThat(s.exit()).as("%s", s).isZero();
    assertThat(c.exit()).as("%s", c).isZero();
    assertThat(s.out()).isEqualTo("a late reply\n");
  }

  @Test
  void aServerWhoseStdinIsEmptyStillGetsTheClientsBytes() {
    // As a shell's "&" or systemd starts it: stdin at its end before any client comes.
    CapnetProcess server = capnet.start("cat", "-l", "--switchboard", daemon.path(), "{\"svc\":\"devnull\"}")
        .closeStdin();
    server.stderr.awaitContains("serving: ");
    Result c = client("{\"svc\":\"devnull\"}").write("hello\n").closeStdin().finish();
    Result s = server.finish();
    assertThat(c.exit()).as("%s", c).isZero();
    assertThat(s.exit()).as("%s", s).isZero();
    assertThat(s.out()).isEqualTo("hello\n");
    assertThat(c.out()).isEmpty();
  }

  @Test
  void aClientWhoseInputArrivesLateStillSendsAllOfIt() {
    CapnetProcess server = capnet.start("cat", "-l", "--switchboard", daemon.path(), "{\"svc\":\"late\"}")
        .closeStdin();
    server.stderr.awaitContains("serving: ");
    CapnetProcess client = client("{\"svc\":\"late\"}");
    client.stderr.awaitContains("connected: ");
    assertThat(awaitEnd(client.stdout)).as("the server has nothing to say").isTrue();
    server.stderr.awaitContains("accepted: ");
    client.write("first\n");
    server.stdout.awaitContains("first\n");
    client.write("second\n").closeStdin();
    Result s = server.finish();
    assertThat(s.out()).isEqualTo("first\nsecond\n");
    assertThat(client.finish().exit()).isZero();
  }

  @Test
  void aMebibyteGoesEachWayAtOnce() throws Exception {
    String toServer = lines('c', 1 << 20);
    String toClient = lines('s', 1 << 20);
    CapnetProcess server = server("{\"svc\":\"mebibyte\"}");
    CapnetProcess client = client("{\"svc\":\"mebibyte\"}");
    Thread a = Thread.ofPlatform().start(() -> server.write(toClient).closeStdin());
    Thread b = Thread.ofPlatform().start(() -> client.write(toServer).closeStdin());
    Result s = server.finish(Duration.ofSeconds(40));
    Result c = client.finish(Duration.ofSeconds(40));
    a.join();
    b.join();
    assertThat(s.exit()).as("%s", s.err()).isZero();
    assertThat(c.exit()).as("%s", c.err()).isZero();
    assertThat(s.out()).as("what reached the server").hasSize(toServer.length()).isEqualTo(toServer);
    assertThat(c.out()).as("what reached the client").hasSize(toClient.length()).isEqualTo(toClient);
  }

  @Test
  void withQZeroTheClientEndsAtTheEndOfItsStdinThoughTheServerSaysNothing() {
    CapnetProcess server = server("{\"svc\":\"quit\"}");
    Result c = capnet.start("cat", "-q", "0", "--switchboard", daemon.path(), "{\"svc\":\"quit\"}")
        .write("bye\n").closeStdin().finish();
    assertThat(c.exit()).as("%s", c).isZero();
    server.stdout.awaitContains("bye\n");
    server.closeStdin();
    assertThat(server.finish().exit()).isZero();
  }

  @Test
  void aNegativeQIsAUsageError() {
    Result r = capnet.run("cat", "-q", "-1", "--switchboard", daemon.path(), "{\"svc\":\"quit\"}");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("capnet cat: -q takes a number of seconds, 0 or more; got -1\n");
  }

  /** {@code n} bytes of numbered lines that start with {@code tag}: a mix-up or loss shows. */
  private static String lines(char tag, int n) {
    StringBuilder b = new StringBuilder(n + 32);
    for (int i = 0; b.length() < n; i++) b.append(tag).append(i).append('\n');
    b.setLength(n - 1);
    return b.append('\n').toString();
  }

  private static boolean awaitEnd(CapnetProcesses.Output out) {
    try {
      return out.awaitEnd(CapnetProcesses.WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void bothSidesPrintTheConnectionLabelsWithTheDaemonsCredentials() {
    CapnetProcess server = server("{\"svc\":\"echo-labels\"}");
    assertThat(server.stderr.text()).contains("serving: {")
        .contains("\"server_pid\":\"" + server.pid() + "\"").contains("\"svc\":\"echo-labels\"");
    CapnetProcess client = client("{\"svc\":\"echo-labels\"}");
    String connected = client.stderr.awaitLine(l -> l.startsWith("connected: "), "the connected line");
    String accepted = server.stderr.awaitLine(l -> l.startsWith("accepted: "), "the accepted line");
    long uid = new com.sun.security.auth.module.UnixSystem().getUid();
    for (String line : new String[] {connected, accepted}) {
      assertThat(line).contains("\"svc\":\"echo-labels\"")
          .contains("\"client_pid\":\"" + client.pid() + "\"")
          .contains("\"client_uid\":\"" + uid + "\"")
          .contains("\"client_gid\":\"")
          .contains("\"server_pid\":\"" + server.pid() + "\"")
          .contains("\"server_uid\":\"" + uid + "\"")
          .contains("\"server_gid\":\"");
    }
    assertThat(connected.substring("connected: ".length())).isEqualTo(accepted.substring("accepted: ".length()));
    client.closeStdin();
    server.closeStdin();
    assertThat(client.finish().exit()).isZero();
    assertThat(server.finish().exit()).isZero();
  }

  @Test
  void aKeepServerTakesOneConnectionAfterAnother() {
    CapnetProcess server = capnet.start("cat", "-l", "-k", "--switchboard", daemon.path(), "{\"svc\":\"keep\"}");
    server.stderr.awaitContains("serving: ");
    for (String word : new String[] {"one\n", "two\n"}) {
      Result c = client("{\"svc\":\"keep\"}").write(word).closeStdin().finish();
      assertThat(c.exit()).as("%s", c).isZero();
      server.stdout.awaitContains(word);
    }
    assertThat(server.process.isAlive()).as("-k keeps serving").isTrue();
  }

  @Test
  void clientCommandsWriteOnlyTheirOwnMessagesToStderr() {
    // A refusal's stderr starts with "capnet cat: CODE" (ClientExit, the -h text), and a success
    // leaves stderr to the command; the client library's INFO log lines get in the way of both.
    Result refused = capnet.run("cat", "--switchboard", daemon.path(), "{\"svc\":\"nobody\"}");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).as("%s", refused)
        .isEqualTo("capnet cat: NOT_FOUND: no server matches {\"svc\":\"nobody\"}\n");
    Result ls = capnet.run("ls", "--switchboard", daemon.path());
    assertThat(ls.exit()).isZero();
    assertThat(ls.err()).as("%s", ls).isEmpty();
  }

  @Test
  void aOneShotServerTakesNoSecondConnectionItWillNeverServe() {
    // Without -k, cat -l serves one connection, like nc -l; a second client must be refused, not
    // told "connected" and then dropped with its bytes lost and exit 0.
    CapnetProcess server = server("{\"svc\":\"once\"}");
    CapnetProcess first = client("{\"svc\":\"once\"}");
    server.stderr.awaitContains("accepted: ");
    CapnetProcess secondClient = client("{\"svc\":\"once\"}").write("lost?\n").closeStdin();
    secondClient.stderr.await(t -> t.contains("connected: ") || t.contains("capnet cat: "), "an answer",
        CapnetProcesses.WAIT);
    first.closeStdin();
    server.closeStdin();
    assertThat(first.finish().exit()).isZero();
    assertThat(server.finish().out()).doesNotContain("lost?");
    Result second = secondClient.finish();
    assertThat(second.exit()).as("%s", second).isEqualTo(1);
    assertThat(second.errLine("capnet cat: ")).as("%s", second).matches("capnet cat: (NOT_FOUND|UNAVAILABLE): .*");
  }

  @Test
  void aKeepServersStdinGoesToTheConnectionItIsServingNow() {
    // With -k, each connection starts a thread copying stdin to it; the first connection's thread
    // stays blocked reading stdin after that connection ended, and takes bytes meant for the next.
    CapnetProcess server = capnet.start("cat", "-l", "-k", "--switchboard", daemon.path(), "{\"svc\":\"keep-stdin\"}");
    server.stderr.awaitContains("serving: ");
    Result first = client("{\"svc\":\"keep-stdin\"}").write("one\n").closeStdin().finish();
    assertThat(first.exit()).as("%s", first).isZero();
    server.stdout.awaitContains("one\n");

    CapnetProcess second = client("{\"svc\":\"keep-stdin\"}");
    server.stderr.await(t -> t.lines().filter(l -> l.startsWith("accepted: ")).count() == 2, "a second accepted line",
        CapnetProcesses.WAIT);
    server.write("for the second client\n");
    second.stdout.await(t -> t.contains("for the second client\n"), "the server's line", Duration.ofSeconds(3));
  }

  @Test
  void aClientCannotSetTheLabelsTheDaemonSets() {
    Result client = capnet.run("cat", "--switchboard", daemon.path(), "{\"svc\":\"spoof\",\"client_uid\":\"12345\"}");
    assertThat(client.exit()).as("%s", client).isEqualTo(1);
    assertThat(client.errLine("capnet cat: ")).as("%s", client).startsWith("capnet cat: INVALID_ARGUMENT: ")
        .contains("client_uid");
    Result server = capnet.run("cat", "-l", "--switchboard", daemon.path(), "{\"svc\":\"spoof\",\"server_pid\":\"1\"}");
    assertThat(server.exit()).as("%s", server).isEqualTo(1);
    assertThat(server.errLine("capnet cat: ")).as("%s", server).startsWith("capnet cat: INVALID_ARGUMENT: ")
        .contains("server_pid");
  }

  @Test
  void aLabelValueThatIsNotAStringIsAUsageErrorNamingTheLabel() {
    Result r = capnet.run("cat", "--switchboard", daemon.path(), "{\"port\":80}");
    assertThat(r.exit()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).startsWith("capnet cat: ").contains("'port'").contains("must be a JSON string");
  }

  @Test
  void noMatchingServerIsNotFound() {
    Result r = capnet.run("cat", "--switchboard", daemon.path(), "{\"svc\":\"nobody\"}");
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLine("capnet cat: ")).as("%s", r).startsWith("capnet cat: NOT_FOUND: ").contains("nobody");
  }

  @Test
  void twoMatchingServersAreAmbiguousAndTheMessageNamesTheLabelThatTellsThemApart() {
    server("{\"svc\":\"a\",\"zone\":\"1\"}");
    server("{\"svc\":\"a\",\"zone\":\"2\"}").closeStdin();
    Result r = capnet.run("cat", "--switchboard", daemon.path(), "{\"svc\":\"a\"}");
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLine("capnet cat: ")).as("%s", r).startsWith("capnet cat: AMBIGUOUS: ")
        .endsWith("tell them apart: [zone]");

    Result one = client("{\"svc\":\"a\",\"zone\":\"2\"}").write("to zone 2\n").closeStdin().finish();
    assertThat(one.exit()).as("a label that tells them apart reaches one: %s", one).isZero();
  }

  @Test
  void aSecondServerWithTheSameLabelsIsRefusedAsAmbiguous() {
    CapnetProcess first = server("{\"svc\":\"twin\"}");
    Result second = capnet.run("cat", "-l", "--switchboard", daemon.path(), "{\"svc\":\"twin\"}");
    assertThat(second.exit()).as("%s", second).isEqualTo(1);
    assertThat(second.errLine("capnet cat: ")).as("%s", second).startsWith("capnet cat: AMBIGUOUS: ")
        .contains("they are the same");
    assertThat(first.process.isAlive()).isTrue();
  }

  @Test
  void withoutASwitchboardTheClientSaysHowToGiveOneAndExits3() {
    Result r = capnet.run("cat", "{\"svc\":\"echo\"}");
    assertThat(r.exit()).as("%s", r).isEqualTo(3);
    assertThat(r.err()).startsWith("capnet cat: no Switchboard")
        .contains("CAPNET_SWITCHBOARD_FD").contains("CAPNET_SWITCHBOARD").contains("socket path");
  }

  @Test
  void aSwitchboardPathWithNoDaemonIsUnreachable() {
    Result r = capnet.run("cat", "--switchboard", capnet.dir.resolve("nothing.sock").toString(), "{\"svc\":\"echo\"}");
    assertThat(r.exit()).as("%s", r).isEqualTo(3);
    assertThat(r.err()).startsWith("capnet cat: ");
  }
}
