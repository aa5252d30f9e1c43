package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.locator.Sturdyref;
import io.capnet.tcptls.TcpTls;
import io.capnet.tcptls.TlsIdentity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code capnet serve-greeter} as a real process, and {@code capnet call} as others that
 * have only the URI it printed.
 */
@Timeout(120)
class TcpTlsProcessTest {
  @TempDir static Path dir;
  static Process server;
  static String uri;
  static String designator;

  static ProcessBuilder capnet(String... args) {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "io.capnet.cli.Capnet"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  @BeforeAll
  static void start() throws Exception {
    Path key = dir.resolve("server.key");
    TlsIdentity id = TlsIdentity.generate();
    id.save(key);
    designator = id.designator();
    server = capnet("serve-greeter", "--identity", key.toString(), "--host", "127.0.0.1", "--port", "0")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    uri = out.readLine();
    assertThat(uri).as("the sturdyref line").isNotNull();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.destroy();
      assertThat(server.waitFor(20, TimeUnit.SECONDS)).as("the server stops on SIGTERM").isTrue();
    }
  }

  record Result(int exit, String out, String err) {}

  static Result call(String... args) throws Exception {
    Process p = capnet(args).start();
    byte[] err = p.getErrorStream().readAllBytes();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void serveGreeterPrintsATcpTlsSturdyrefNamingItsIdentity() {
    Sturdyref ref = Sturdyref.parse(uri);
    assertThat(ref.peer().transport()).isEqualTo(TcpTls.TRANSPORT);
    assertThat(ref.peer().designator()).isEqualTo(designator);
    assertThat(ref.peer().hint("host")).contains("127.0.0.1");
  }

  @Test
  void callInAnotherProcessEnlivensTheUriAndPrintsTheAnswer() throws Exception {
    Result r = call("call", uri, "greet", "World");
    assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isZero();
    assertThat(r.out()).isEqualTo("Hello, World" + System.lineSeparator());
    Result json = call("call", uri, "greet", "[1, \"two\"]");
    assertThat(json.exit()).as("stderr: %s", json.err()).isZero();
    assertThat(json.out()).startsWith("Hello, [1");
  }

  @Test
  void callOfAnUnknownMethodExitsOneWithTheBreakReason() throws Exception {
    Result r = call("call", uri, "wave");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("capnet call: broken:").contains("no method 'wave'");
  }

  @Test
  void callOfAUriWhoseDesignatorIsNotTheServersKeyFailsNamingBoth() throws Exception {
    String other = TlsIdentity.generate().designator();
    Result r = call("call", uri.replace(designator, other), "greet", "World");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("the server's key is designator " + designator)
        .contains("not the dialled designator " + other);
  }
}
