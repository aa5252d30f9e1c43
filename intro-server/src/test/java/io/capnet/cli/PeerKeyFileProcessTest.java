package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer given a key file ({@code --identity}) and a chosen swiss number exports the same
 * sturdyref after a restart, and the old URI reaches the new process: on the unix netlayer (with
 * a daemon that keeps its own key in {@code --state-dir}) and on tcp-tls.
 */
@Timeout(180)
class PeerKeyFileProcessTest {
  private final CapnetProcesses capnet = new CapnetProcesses();

  @AfterEach
  void tearDown() throws Exception {
    capnet.close();
  }

  private Path newIdentity(String name) {
    Path file = capnet.dir.resolve(name);
    Result r = capnet.run("identity", "new", file.toString());
    assertThat(r.exit()).as("%s", r).isZero();
    return file;
  }

  private static String sturdyref(CapnetProcess greeter) {
    return greeter.stdout.awaitLine(l -> l.startsWith("ocapn://"), "the greeter's sturdyref");
  }

  /** SIGTERM, and the exit that follows it (128 + 15). */
  private static void stop(CapnetProcess p) {
    CapnetProcesses.kill("TERM", p.pid());
    assertThat(p.finish().exit()).as("exit of %s after SIGTERM", p).isIn(0, 143);
  }

  @Test
  void aUnixGreetersSturdyrefOutlivesARestartOfTheGreeterAndOfTheDaemon() {
    Path key = newIdentity("greeter.key");
    String state = capnet.dir.resolve("state").toString();
    Daemon daemon = capnet.daemon("--state-dir", state);
    String[] serve = {"serve-greeter", "--switchboard", daemon.path(), "--identity", key.toString(), "--swiss", "front-door"};
    CapnetProcess first = capnet.start(serve);
    String uri = sturdyref(first);
    assertThat(uri).matches("ocapn://[a-z2-7]{52}\\.unix/s/.*");
    stop(first);

    CapnetProcess second = capnet.start(serve);
    assertThat(sturdyref(second)).isEqualTo(uri);
    Result call = capnet.run("call", "--switchboard", daemon.path(), uri, "greet", "again");
    assertThat(call.exit()).as("%s", call).isZero();
    assertThat(call.out()).isEqualTo("Hello, again\n");
    stop(second);

    stop(daemon.process());
    Daemon restarted = capnet.daemon("--state-dir", state);
    CapnetProcess third = capnet.start(serve);
    assertThat(sturdyref(third)).as("same peer key, same daemon key: the same URI").isEqualTo(uri);
    Result after = capnet.run("call", "--switchboard", restarted.path(), uri, "greet", "World");
    assertThat(after.exit()).as("%s", after).isZero();
    assertThat(after.out()).isEqualTo("Hello, World\n");
  }

  @Test
  void aGreeterWithAFreshKeyEachRunCannotBeReachedByTheOldUri() {
    Daemon daemon = capnet.daemon();
    String[] serve = {"serve-greeter", "--switchboard", daemon.path(), "--swiss", "front-door"};
    CapnetProcess first = capnet.start(serve);
    String uri = sturdyref(first);
    stop(first);
    CapnetProcess second = capnet.start(serve);
    assertThat(sturdyref(second)).isNotEqualTo(uri);
    Result call = capnet.run("call", "--switchboard", daemon.path(), uri, "greet", "World");
    assertThat(call.exit()).as("%s", call).isNotZero();
    assertThat(call.out()).isEmpty();
  }

  @Test
  void aTcpTlsGreetersSturdyrefOutlivesARestartOnTheSamePort() throws Exception {
    Path key = newIdentity("tls.key");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String[] serve = {"serve-greeter", "--identity", key.toString(), "--port", Integer.toString(port), "--swiss", "front-door"};
    CapnetProcess first = capnet.start(serve);
    String uri = sturdyref(first);
    assertThat(uri).matches("ocapn://[a-z2-7]{52}\\.tcp-tls/s/.*");
    stop(first);
    CapnetProcess second = capnet.start(serve);
    assertThat(sturdyref(second)).isEqualTo(uri);
    Result call = capnet.run("call", uri, "greet", "World");
    assertThat(call.exit()).as("%s", call).isZero();
    assertThat(call.out()).isEqualTo("Hello, World\n");
  }

  @Test
  void theSameKeyFileNamesTheSameDesignatorOnUnixAndOnTcpTls() {
    Path key = newIdentity("both.key");
    Daemon daemon = capnet.daemon();
    String unix = sturdyref(capnet.start("serve-greeter", "--switchboard", daemon.path(), "--identity", key.toString()));
    String tls = sturdyref(capnet.start("serve-greeter", "--identity", key.toString()));
    String designator = unix.substring("ocapn://".length(), unix.indexOf('.'));
    assertThat(tls).startsWith("ocapn://" + designator + ".tcp-tls/");
  }
}
