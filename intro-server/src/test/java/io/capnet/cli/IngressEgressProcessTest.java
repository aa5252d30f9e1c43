package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ingress-accept, egress-connect and resolver as real processes, on loopback only. */
@Timeout(90)
class IngressEgressProcessTest {
  CapnetProcesses capnet;
  Daemon daemon;
  ServerSocket echo;

  @BeforeEach
  void setUp() throws IOException {
    capnet = new CapnetProcesses();
    daemon = capnet.daemon();
    echo = new ServerSocket();
    echo.bind(new InetSocketAddress("127.0.0.1", 0));
    Thread.ofVirtual().start(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread.ofVirtual().start(() -> {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              in.transferTo(out);
            } catch (IOException e) {
              // the test closed it
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  @AfterEach
  void tearDown() throws Exception {
    echo.close();
    capnet.close();
  }

  private int echoPort() {
    return echo.getLocalPort();
  }

  @Test
  void ingressDeliversATcpClientToACatServer() throws Exception {
    CapnetProcess server = capnet.start("cat", "-l", "--switchboard", daemon.path(), "{\"svc\":\"web\"}");
    server.stderr.awaitContains("serving: ");
    CapnetProcess ingress = capnet.start("ingress-accept", "--switchboard", daemon.path(), "127.0.0.1:0", "{\"svc\":\"web\"}");
    ingress.stdout.awaitContains("listening on 127.0.0.1:");
    int port = Integer.parseInt(ingress.stdout.text().trim().replaceAll(".*:", ""));
    try (Socket client = new Socket("127.0.0.1", port)) {
      client.getOutputStream().write("hello from tcp\n".getBytes(StandardCharsets.UTF_8));
      // cat ends when its peer stops sending, so the client keeps its side open until answered.
      server.stdout.awaitContains("hello from tcp");
      server.write("hello from the server\n").closeStdin();
      assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello from the server\n");
      String accepted = server.stderr.text();
      assertThat(accepted).contains("\"address_family\":\"inet\"").contains("\"client_address\":\"127.0.0.1\"")
          .contains("\"client_port\":\"" + client.getLocalPort() + "\"").contains("\"server_port\":\"" + port + "\"")
          .contains("\"server_address\":\"127.0.0.1\"");
    }
    assertThat(server.finish().exit()).isZero();
    ingress.stderr.awaitContains("forwarded {");
  }

  @Test
  void aFailedForwardIsLoggedAndTheIngressGoesOn() throws Exception {
    CapnetProcess ingress = capnet.start("ingress-accept", "--switchboard", daemon.path(), "127.0.0.1:0", "{\"svc\":\"nobody\"}");
    ingress.stdout.awaitContains("listening on ");
    int port = Integer.parseInt(ingress.stdout.text().trim().replaceAll(".*:", ""));
    try (Socket first = new Socket("127.0.0.1", port)) {
      assertThat(first.getInputStream().read()).as("the unforwarded client is closed").isEqualTo(-1);
    }
    ingress.stderr.awaitContains("could not forward");
    assertThat(ingress.stderr.text()).contains("NOT_FOUND: no server matches");
    // Each refused connection is closed in the ingress too (issue 12 item 4): its fds stay put.
    int fds = CapnetProcesses.settledFdCount(ingress.pid());
    for (int i = 0; i < 30; i++) {
      try (Socket refused = new Socket("127.0.0.1", port)) {
        assertThat(refused.getInputStream().read()).as("refused client %d is closed", i).isEqualTo(-1);
      }
    }
    assertThat(CapnetProcesses.eventually(java.time.Duration.ofSeconds(10),
        () -> CapnetProcesses.fdCount(ingress.pid()) <= fds)).as("the ingress's fds return to %d", fds).isTrue();
    CapnetProcess server = capnet.start("cat", "-l", "--switchboard", daemon.path(), "{\"svc\":\"nobody\"}");
    server.stderr.awaitContains("serving: ");
    try (Socket second = new Socket("127.0.0.1", port)) {
      second.getOutputStream().write("still here\n".getBytes(StandardCharsets.UTF_8));
      server.stdout.awaitContains("still here");
    }
  }

  @Test
  void losingTheSwitchboardEndsTheIngressWithACode() {
    CapnetProcess ingress = capnet.start("ingress-accept", "--switchboard", daemon.path(), "127.0.0.1:0", "{}");
    ingress.stdout.awaitContains("listening on ");
    daemon.process().process.destroy();
    Result r = ingress.finish();
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("lost the Switchboard");
  }

  @Test
  void egressReachesALocalTcpEchoServer() {
    CapnetProcess egress = capnet.start("egress-connect", "--switchboard", daemon.path(), "{\"via\":\"egress\"}");
    egress.stdout.awaitContains("egress ");
    CapnetProcess client = capnet.start("cat", "--switchboard", daemon.path(),
        "{\"via\":\"egress\",\"address_family\":\"inet\",\"server_address\":\"127.0.0.1\",\"server_port\":\"" + echoPort() + "\"}");
    client.write("echo me\n").closeStdin();
    Result r = client.finish();
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("echo me\n");
  }

  @Test
  void egressRefusesBadLabelsNamingTheLabel() {
    CapnetProcess egress = capnet.start("egress-connect", "--switchboard", daemon.path(), "{\"via\":\"egress\"}");
    egress.stdout.awaitContains("egress ");
    Result missing = capnet.run("cat", "--switchboard", daemon.path(), "{\"via\":\"egress\",\"address_family\":\"inet\",\"server_address\":\"127.0.0.1\"}");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("UNAVAILABLE").contains("label 'server_port' is missing");
    Result nonNumeric = capnet.run("cat", "--switchboard", daemon.path(),
        "{\"via\":\"egress\",\"address_family\":\"inet\",\"server_address\":\"localhost\",\"server_port\":\"80\"}");
    assertThat(nonNumeric.err()).contains("label 'server_address' 'localhost' is not a numeric IP address");
    Result badPort = capnet.run("cat", "--switchboard", daemon.path(),
        "{\"via\":\"egress\",\"address_family\":\"inet\",\"server_address\":\"127.0.0.1\",\"server_port\":\"http\"}");
    assertThat(badPort.err()).contains("label 'server_port' 'http' is not numeric");
    Result nul = capnet.run("cat", "--switchboard", daemon.path(),
        "{\"via\":\"egress\",\"address_family\":\"unix\",\"server_path\":\"/tmp/a\\u0000b\"}");
    assertThat(nul.exit()).isEqualTo(2);
    assertThat(nul.err()).contains("label 'server_path' contains a NUL byte");
  }

  @Test
  void aRefusedConnectionReturnsTheSystemsErrorText() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    CapnetProcess egress = capnet.start("egress-connect", "--switchboard", daemon.path(), "{\"via\":\"egress\"}");
    egress.stdout.awaitContains("egress ");
    Result r = capnet.run("cat", "--switchboard", daemon.path(),
        "{\"via\":\"egress\",\"address_family\":\"inet\",\"server_address\":\"127.0.0.1\",\"server_port\":\"" + closedPort + "\"}");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("UNAVAILABLE").contains("Connection refused");
  }

  @Test
  void anIngressNeverReachesAnEgress() throws Exception {
    CapnetProcess egress = capnet.start("egress-connect", "--switchboard", daemon.path(), "{\"via\":\"egress\"}");
    egress.stdout.awaitContains("egress ");
    CapnetProcess ingress = capnet.start("ingress-accept", "--switchboard", daemon.path(), "127.0.0.1:0", "{\"via\":\"egress\"}");
    ingress.stdout.awaitContains("listening on ");
    int port = Integer.parseInt(ingress.stdout.text().trim().replaceAll(".*:", ""));
    try (Socket s = new Socket("127.0.0.1", port)) {
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    ingress.stderr.awaitContains("PERMISSION_DENIED");
    assertThat(ingress.stderr.text()).contains("an ingress may never reach an egress");
  }

  @Test
  void theResolverFeedsTheEgress() {
    CapnetProcess resolver = capnet.start("resolver", "--switchboard", daemon.path());
    resolver.stdout.awaitContains("resolving");
    CapnetProcess egress = capnet.start("egress-connect", "--switchboard", daemon.path(), "{\"via\":\"egress\"}");
    egress.stdout.awaitContains("egress ");
    CapnetProcess client = capnet.start("cat", "--switchboard", daemon.path(),
        "{\"via\":\"egress\",\"server_hostname\":\"127.0.0.1\",\"server_service\":\"" + echoPort() + "\"}");
    client.write("resolved and echoed\n").closeStdin();
    Result r = client.finish();
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("resolved and echoed\n");
    assertThat(r.err()).contains("\"server_address\":\"127.0.0.1\"").contains("\"address_family\":\"inet\"");
    resolver.stderr.awaitContains("resolved {");
  }

  @Test
  void anUnknownServiceNameIsTheResolversError() {
    CapnetProcess resolver = capnet.start("resolver", "--switchboard", daemon.path());
    resolver.stdout.awaitContains("resolving");
    Result r = capnet.run("cat", "--switchboard", daemon.path(),
        "{\"server_hostname\":\"127.0.0.1\",\"server_service\":\"no-such-service-here\"}");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("UNAVAILABLE").contains("unknown service 'no-such-service-here'");
  }
}
