package io.capnet.examples.crosshost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capnet.examples.harness.Processes.Proc;
import io.capnet.locator.Sturdyref;
import io.capnet.unix.Labels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two hosts as two network namespaces joined by a veth pair, made here with {@code ip netns};
 * each runs its own {@code capnet switchboard}, B's is federated onto A's over tcp-tls across the
 * veth, and a client on A reaches a server on B by labels. Every piece is a real process, and
 * the namespaces are deleted however the test ends.
 */
@Timeout(180)
class CrossHostProcessTest {
  TwoHosts hosts;

  @BeforeEach
  void twoHosts() throws Exception {
    try {
      hosts = TwoHosts.make();
    } catch (TwoHosts.CannotMakeHosts e) {
      assumeTrue(false, "skipped, two hosts cannot be made here: " + e.getMessage());
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    if (hosts != null) hosts.close();
  }

  @Test
  void aClientOnHostAReachesAServerOnHostBByLabelsAcrossTheVeth() throws Exception {
    hosts.federate();
    Proc greeter = hosts.onB("server", hosts.socketB().toString());
    greeter.stdout.awaitLine("serving {\"svc\":\"greeter\",\"zone\":\"public\"}");
    Proc client = hosts.onA("client", hosts.socketA().toString(), "{\"host\":\"b\",\"svc\":\"greeter\"}", "hello from host A");
    client.stdout.awaitLine("reply host B greets hello from host A");
    greeter.stdout.awaitLine("got hello from host A");

    // Each side's federation_peer is the other host's key, as `capnet identity new` printed it.
    Labels seenByClient = labelsAfter(client.stdout.awaitLine(l -> l.startsWith("connected "), "the labels"), "connected ");
    assertThat(seenByClient.get("federation_peer")).contains(hosts.designatorB);
    assertThat(seenByClient.get("host")).contains("b");
    assertThat(seenByClient.get("svc")).contains("greeter");
    assertThat(seenByClient.get("zone")).contains("public");
    Labels seenByServer = labelsAfter(greeter.stdout.awaitLine(l -> l.startsWith("connection "), "the labels"), "connection ");
    assertThat(seenByServer.get("federation_peer")).contains(hosts.designatorA);
    assertThat(seenByServer.get("host")).as("the link's own labels stay on A").isEmpty();
    assertThat(client.process.waitFor()).isZero();

    // B's endpoint listens on B's veth address, which only host A can reach.
    Sturdyref ref = Sturdyref.parse(hosts.endpoint);
    assertThat(ref.peer().hints()).containsEntry("host", TwoHosts.ADDRESS_B);
    int port = Integer.parseInt(ref.peer().hints().get("port"));
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(TwoHosts.ADDRESS_B, port), 2000);
      }
    }).as("B's endpoint from the test's own network namespace").isInstanceOf(IOException.class);

    String marker = hosts.processes.dir.toString();
    hosts.close();
    assertThat(TwoHosts.namespaces()).doesNotContain(hosts.nsA, hosts.nsB);
    assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker)).toList())
        .as("processes left over").isEmpty();
  }

  private static Labels labelsAfter(String line, String prefix) {
    return Labels.parseJson(line.substring(prefix.length()));
  }
}
