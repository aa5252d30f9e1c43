package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.captp.Peer;
import io.capnet.captp.Promise;
import io.capnet.captp.Ref;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Netlayers;
import io.capnet.value.Bytes;
import io.capnet.value.Symbol;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs {@code capnet ocapn-test-peer} as a real process and talks to it over tcp-testing-only. */
@Timeout(60)
class OcapnTestPeerProcessTest {
  static Process process;
  static PeerLocator locator;
  static Peer client;

  @BeforeAll
  static void start() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "io.capnet.cli.Capnet", "ocapn-test-peer", "--host", "127.0.0.1", "--port", "0")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("the locator line").startsWith("ocapn://").contains(".tcp-testing-only?");
    locator = PeerLocator.parse(line);
    client = Peer.builder().name("client").netlayer(Netlayers.tcpTestingOnly("127.0.0.1", 0)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    if (process != null) {
      process.destroy();
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("the peer stops on SIGTERM").isTrue();
    }
  }

  private static Ref fetch(String swiss) throws Exception {
    return (Ref) client.enliven(locator.sturdyref(Bytes.of(swiss.getBytes(StandardCharsets.US_ASCII))))
        .future().get(20, TimeUnit.SECONDS);
  }

  private static Object await(Promise p) throws Exception {
    return p.future().get(20, TimeUnit.SECONDS);
  }

  @Test
  void pipelinedCarFactoryDrivesACar() throws Exception {
    Ref builder = fetch(OcapnTestObjects.CAR_FACTORY_BUILDER);
    Promise noise = builder.call(List.of())
        .call(List.of(List.of(new Symbol("red"), new Symbol("zoomracer"))))
        .call(List.of());
    assertThat(await(noise)).isEqualTo("Vroom! I am a red zoomracer car!");
  }

  @Test
  void badCarSpecificationBreaksThePipeline() throws Exception {
    Ref builder = fetch(OcapnTestObjects.CAR_FACTORY_BUILDER);
    Promise noise = builder.call(List.of()).call(List.of(List.of(1L, 2L, 3L))).call(List.of());
    assertThatThrownBy(() -> await(noise)).hasMessageContaining("[color model]");
  }

  @Test
  void echoReturnsItsArgumentsWithTheirTypes() throws Exception {
    Ref echo = fetch(OcapnTestObjects.ECHO_GC);
    List<Object> args = List.of("foo", 1L, false, Bytes.of((byte) 'b'), List.of("baz"));
    assertThat(await(echo.call(args))).isEqualTo(args);
  }

  @Test
  void promiseResolverSettlesItsPromise() throws Exception {
    Ref maker = fetch(OcapnTestObjects.PROMISE_RESOLVER);
    List<?> pair = (List<?>) await(maker.call(List.of()));
    Promise promise = (Promise) pair.get(0);
    ((Ref) pair.get(1)).sendOnly("fulfill", new Symbol("ok"));
    assertThat(await(promise)).isEqualTo(new Symbol("ok"));
  }

  @Test
  void unknownSwissNumberBreaksTheFetch() {
    assertThatThrownBy(() -> fetch("no-such-object"))
        .hasMessageContaining("no object is exported under that swiss number");
  }
}
