package io.capnet.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.tcptls.TcpTls;
import io.capnet.tcptls.TlsIdentity;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.FileDescriptorCast;

/** Two Switchboards, each with its own socket and identity, play two hosts linked over tcp-tls. */
@Timeout(60)
class FederationTest {
  private Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private SwitchboardDaemon hostA;
  private SwitchboardDaemon hostB;
  private FederationEndpoint endpoint;

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  @BeforeEach
  void twoHosts() throws Exception {
    dir = Files.createTempDirectory("capnet-federation-");
    hostA = track(SwitchboardDaemon.builder().socketPath(dir.resolve("a.sock")).start());
    hostB = track(SwitchboardDaemon.builder().socketPath(dir.resolve("b.sock")).start());
    Switchboard atB = track(Switchboard.open(hostB.socketPath()));
    Switchboard remoteConnects = atB.constrain(EnumSet.of(Right.CLIENT_CONNECT), Labels.empty(), Labels.of("zone", "public"));
    endpoint = track(FederationEndpoint.serve(remoteConnects, TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)));
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        // keep closing
      }
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private FederationLink link(String sturdyref) throws Exception {
    Switchboard atA = track(Switchboard.open(hostA.socketPath()));
    return track(FederationLink.link(atA, TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0), sturdyref,
        Labels.of("host", "b")));
  }

  private static SocketChannel channel(io.capnet.value.Descriptor d) throws IOException {
    SocketChannel ch = FileDescriptorCast.using(d.fileDescriptor()).as(SocketChannel.class);
    ch.configureBlocking(true);
    return ch;
  }

  @Test
  void clientOnHostAReachesAServerOnHostBByLabels() throws Exception {
    Switchboard serverAtB = track(Switchboard.open(hostB.socketPath()));
    LinkedBlockingQueue<Switchboard.Introduction> arrived = new LinkedBlockingQueue<>();
    serverAtB.serve(Labels.of("svc", "db", "zone", "public"), arrived::add);
    link(endpoint.sturdyref());
    Switchboard clientAtA = track(Switchboard.open(hostA.socketPath()));
    Switchboard.Introduction mine = clientAtA.constrain(Right.ALL, Labels.empty(), Labels.of("tenant", "t1"))
        .connect(Labels.of("host", "b", "svc", "db"));
    Switchboard.Introduction theirs = arrived.poll(20, TimeUnit.SECONDS);
    assertThat(theirs).isNotNull();
    // Both sides' labels are preserved: the client gets the union, and the server sees what crossed.
    assertThat(mine.labels().asMap()).containsEntry("svc", "db").containsEntry("zone", "public")
        .containsEntry("host", "b").containsEntry("tenant", "t1")
        .containsEntry("client_pid", Long.toString(ProcessHandle.current().pid()))
        .containsKey(FederationLink.FEDERATION_PEER);
    assertThat(theirs.labels().asMap()).containsEntry("svc", "db").containsEntry("tenant", "t1")
        .doesNotContainKey("host").containsKey(FederationLink.FEDERATION_PEER);
    assertThat(theirs.labels().get(FederationLink.FEDERATION_PEER)).isNotEqualTo(mine.labels().get(FederationLink.FEDERATION_PEER));
    try (var d1 = mine.socket(); var d2 = theirs.socket(); SocketChannel a = channel(d1); SocketChannel b = channel(d2)) {
      a.write(ByteBuffer.wrap("across hosts".getBytes(StandardCharsets.UTF_8)));
      a.shutdownOutput();
      ByteBuffer got = ByteBuffer.allocate(64);
      while (b.read(got) > 0) {}
      assertThat(new String(got.array(), 0, got.position(), StandardCharsets.UTF_8)).isEqualTo("across hosts");
      b.write(ByteBuffer.wrap("and back".getBytes(StandardCharsets.UTF_8)));
      b.shutdownOutput();
      ByteBuffer back = ByteBuffer.allocate(64);
      while (a.read(back) > 0) {}
      assertThat(new String(back.array(), 0, back.position(), StandardCharsets.UTF_8)).isEqualTo("and back");
    }
  }

  @Test
  void remoteRefusalsCrossTheLinkWithTheirCode() throws Exception {
    link(endpoint.sturdyref());
    Switchboard clientAtA = track(Switchboard.open(hostA.socketPath()));
    SwitchboardException e = (SwitchboardException) catchThrowable(() -> clientAtA.connect(Labels.of("host", "b", "svc", "none")));
    assertThat(e.code()).isEqualTo(SwitchboardException.Code.UNAVAILABLE);
    assertThat(e.detail()).contains("NOT_FOUND: no server matches {").contains("\"svc\":\"none\"")
        .contains("\"zone\":\"public\"");
  }

  @Test
  void theEndpointsHandleBoundsWhatTheOtherHostCanReach() throws Exception {
    Switchboard serverAtB = track(Switchboard.open(hostB.socketPath()));
    serverAtB.serve(Labels.of("svc", "secret", "zone", "private"), i -> i.socket().close());
    link(endpoint.sturdyref());
    Switchboard clientAtA = track(Switchboard.open(hostA.socketPath()));
    SwitchboardException e = (SwitchboardException) catchThrowable(() ->
        clientAtA.connect(Labels.of("host", "b", "svc", "secret", "zone", "private")));
    assertThat(e.detail()).contains("PERMISSION_DENIED: label 'zone' is fixed to 'public'");
  }

  @Test
  void aLinkToAWrongKeyFailsToStart() throws Exception {
    String uri = endpoint.sturdyref();
    String other = TlsIdentity.generate().designator();
    String forged = uri.replaceFirst("ocapn://[a-z2-7]+\\.", "ocapn://" + other + ".");
    Throwable t = catchThrowable(() -> link(forged));
    assertThat(t).isInstanceOf(IOException.class).hasMessageContaining("cannot reach the federation endpoint");
  }

  @Test
  void oneRemoteHostHasAtMost64FederatedConnectsUnclaimed() throws Exception {
    Switchboard serverAtB = track(Switchboard.open(hostB.socketPath()));
    serverAtB.serve(Labels.of("svc", "db", "zone", "public"), intro -> intro.socket().close());
    // A remote host that asks for connections and never opens the data connections to claim them.
    io.capnet.captp.Peer remote = track(io.capnet.captp.Peer.builder().name("greedy")
        .netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)).build());
    io.capnet.captp.Ref ep = (io.capnet.captp.Ref) remote.enliven(endpoint.sturdyref()).future().get(10, TimeUnit.SECONDS);
    for (int i = 0; i < 64; i++) {
      assertThat(ep.send("connect", Labels.of("svc", "db").toValue()).future().get(10, TimeUnit.SECONDS))
          .isInstanceOf(List.class);
    }
    Throwable t = catchThrowable(() -> ep.send("connect", Labels.of("svc", "db").toValue()).future()
        .get(10, TimeUnit.SECONDS));
    assertThat(t).hasCauseInstanceOf(io.capnet.captp.BrokenException.class);
    assertThat(t.getCause().getMessage()).contains("RESOURCE_EXHAUSTED: this host already has 64 federated connections"
        + " it has not claimed (maxPendingFederatedConnects)");
  }
}
