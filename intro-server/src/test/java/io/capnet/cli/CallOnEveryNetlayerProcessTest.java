package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code capnet call} against a real {@code capnet serve-greeter} process on the unix and tcp-testing-only netlayers. */
@Timeout(120)
class CallOnEveryNetlayerProcessTest {
  private final CapnetProcesses capnet = new CapnetProcesses();

  @AfterEach
  void tearDown() throws Exception {
    capnet.close();
  }

  private String serve(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "serve-greeter";
    System.arraycopy(args, 0, all, 1, args.length);
    CapnetProcess p = capnet.start(all);
    return p.stdout.awaitLine(l -> l.startsWith("ocapn://"), "the greeter's sturdyref");
  }

  @Test
  void callReachesAGreeterOnTheUnixNetlayerThroughTheSwitchboard() {
    Daemon d = capnet.daemon();
    String uri = serve("--switchboard", d.path());
    assertThat(uri).matches("ocapn://[a-z2-7]+\\.unix.*/s/.*");
    Result r = capnet.run("call", "--switchboard", d.path(), uri, "greet", "World");
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(r.out()).isEqualTo("Hello, World\n");
  }

  @Test
  void aUnixUriWithNoSwitchboardSaysHowToGiveOne() {
    Daemon d = capnet.daemon();
    String uri = serve("--switchboard", d.path());
    Result r = capnet.run("call", uri, "greet", "World");
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.err()).contains("CAPNET_SWITCHBOARD");
  }

  @Test
  void callReachesATcpTestingOnlyGreeterInEachFramingOnlyWithTheInsecureFlagAndWarns() {
    String uri = serve("--insecure-testing-netlayer");
    assertThat(uri).matches("ocapn://[a-z2-7]+\\.tcp-testing-only/s/.*");

    Result refused = capnet.run("call", uri, "greet", "World");
    assertThat(refused.exit()).as("%s", refused).isEqualTo(2);
    assertThat(refused.err()).isEqualTo("capnet call: a tcp-testing-only URI is plain TCP with no authentication or"
        + " encryption; give --insecure-testing-netlayer to use it anyway, for interoperability tests only\n");

    for (String framing : new String[] {"LENGTH_PREFIXED", "NETSTRING", "BARE_SYRUP"}) {
      Result r = capnet.run("call", "--insecure-testing-netlayer", "--framing", framing, uri, "greet", "World");
      assertThat(r.exit()).as("%s: %s", framing, r).isZero();
      assertThat(r.out()).isEqualTo("Hello, World\n");
      assertThat(r.errLine("capnet call: ")).isEqualTo("capnet call: WARNING: INSECURE tcp-testing-only netlayer:"
          + " plain TCP with no authentication or encryption, for interoperability tests only, never a default");
    }
  }

  @Test
  void aTransportCapnetDoesNotHaveIsAUsageErrorNamingTheOnesItHas() {
    Result r = capnet.run("call", "ocapn://abc.onion/s/AAAA", "greet");
    assertThat(r.exit()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).isEqualTo("capnet call: no netlayer for transport onion; capnet has tcp-tls, unix and"
        + " tcp-testing-only\n");
  }
}
