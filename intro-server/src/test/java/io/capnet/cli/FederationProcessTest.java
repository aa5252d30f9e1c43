package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two Switchboard daemons, each with its own socket and identity, play hosts A and B; B serves
 * its Switchboard over tcp-tls on loopback, and A links to it. Every piece is a real process.
 */
@Timeout(90)
class FederationProcessTest {
  CapnetProcesses capnet;
  Daemon hostA;
  Daemon hostB;
  String endpoint;

  @BeforeEach
  void twoHosts() {
    capnet = new CapnetProcesses();
    hostA = capnet.daemon(capnet.dir.resolve("a.sock"));
    hostB = capnet.daemon(capnet.dir.resolve("b.sock"));
    Result idA = capnet.run("identity", "new", capnet.dir.resolve("a.key").toString());
    Result idB = capnet.run("identity", "new", capnet.dir.resolve("b.key").toString());
    assertThat(idA.exit()).as(idA.err()).isZero();
    assertThat(idB.exit()).as(idB.err()).isZero();
    CapnetProcess serve = capnet.start("federation-serve", "--switchboard", hostB.path(),
        "--identity", capnet.dir.resolve("b.key").toString(), "--out", "{\"zone\":\"public\"}");
    endpoint = serve.stdout.awaitLine(l -> l.startsWith("ocapn://"), "the endpoint's sturdyref");
    assertThat(endpoint).contains(".tcp-tls").contains(idB.out().strip());
    CapnetProcess link = capnet.start("federation-link", "--switchboard", hostA.path(),
        "--identity", capnet.dir.resolve("a.key").toString(), endpoint, "{\"host\":\"b\"}");
    link.stdout.awaitContains("linked ");
  }

  @AfterEach
  void tearDown() throws Exception {
    capnet.close();
  }

  @Test
  void aClientOnHostAConnectsByLabelsToAServerOnHostB() {
    CapnetProcess server = capnet.start("cat", "-l", "--switchboard", hostB.path(), "{\"svc\":\"db\",\"zone\":\"public\"}");
    server.stderr.awaitContains("serving: ");
    CapnetProcess client = capnet.start("cat", "--switchboard", hostA.path(), "{\"host\":\"b\",\"svc\":\"db\"}");
    client.write("query from host A\n").closeStdin();
    server.stdout.awaitContains("query from host A");
    server.write("answer from host B\n").closeStdin();
    Result c = client.finish();
    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).isEqualTo("answer from host B\n");
    // The client's union: its own labels, the link's, the remote server's, and the remote's designator.
    assertThat(c.err()).contains("\"svc\":\"db\"").contains("\"zone\":\"public\"").contains("\"host\":\"b\"")
        .contains("\"federation_peer\":\"");
    Result s = server.finish();
    assertThat(s.exit()).as(s.err()).isZero();
    assertThat(s.err()).contains("\"federation_peer\"").as("the server side sees no credentials of host A")
        .doesNotContain("\"host\":\"b\"");
  }

  @Test
  void aRemoteRefusalReachesTheClientWithItsCode() {
    Result r = capnet.run("cat", "--switchboard", hostA.path(), "{\"host\":\"b\",\"svc\":\"missing\"}");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("UNAVAILABLE").contains("NOT_FOUND: no server matches");
  }
}
