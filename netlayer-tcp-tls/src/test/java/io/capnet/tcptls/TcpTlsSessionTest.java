package io.capnet.tcptls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.captp.BrokenException;
import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.locator.PeerLocator;
import io.capnet.locator.Sturdyref;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CapTP sessions over tcp-tls where a peer claims a designator its TLS key does not prove. */
@Timeout(60)
class TcpTlsSessionTest {
  private final List<Peer> peers = new ArrayList<>();

  @AfterEach
  void close() {
    peers.forEach(Peer::close);
  }

  private Peer peer(String name, Netlayer netlayer) {
    Peer p = Peer.builder().name(name).netlayer(netlayer).build();
    peers.add(p);
    return p;
  }

  /** A tcp-tls netlayer whose locator names {@code claimed} instead of its own key. */
  record Liar(Netlayer real, String claimed) implements Netlayer {
    @Override
    public String transport() {
      return real.transport();
    }

    @Override
    public PeerLocator locator() {
      return PeerLocator.of(claimed, real.transport(), real.locator().hints());
    }

    @Override
    public Connection connect(PeerLocator remote) throws IOException {
      return real.connect(remote);
    }

    @Override
    public void accept(Consumer<Connection> incoming) throws IOException {
      real.accept(incoming);
    }

    @Override
    public boolean supports(NetlayerCapability capability) {
      return real.supports(capability);
    }

    @Override
    public void close() throws IOException {
      real.close();
    }
  }

  @Test
  void sessionAbortsWhenStartSessionLocationDisagreesWithTheClientsTlsKey() throws Exception {
    Peer alice = peer("alice", TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0));
    TlsIdentity mallory = TlsIdentity.generate();
    TlsIdentity victim = TlsIdentity.generate();
    // Mallory's TLS key is her own, but her op:start-session claims the victim's designator.
    Peer liar = peer("mallory", new Liar(TcpTls.netlayer(mallory, "127.0.0.1", 0), victim.designator()));
    Sturdyref greeter = alice.export(alice.spawn(Methods.builder().on("greet", a -> "hi " + a.get(0)).build()));

    assertThatThrownBy(() -> liar.enliven(greeter).send("greet", "x").future().get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(BrokenException.class)
        .hasMessageContaining("the location names designator " + victim.designator())
        .hasMessageContaining("but the connection authenticated " + mallory.designator());
    assertThat(alice.sessions()).isEmpty();

    // Alice still serves an honest peer.
    Peer bob = peer("bob", TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0));
    Ref remote = (Ref) bob.enliven(greeter).future().get(30, TimeUnit.SECONDS);
    assertThat(remote.send("greet", "bob").future().get(30, TimeUnit.SECONDS)).isEqualTo("hi bob");
  }

  @Test
  void enlivenBreaksWhenTheServersTlsKeyIsNotTheDesignatorInTheSturdyref() throws Exception {
    TlsIdentity victim = TlsIdentity.generate();
    // Mallory listens at an address, and hands out sturdyrefs naming the victim's designator there.
    Peer mallory = peer("mallory", new Liar(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0),
        victim.designator()));
    Sturdyref forged = mallory.export(mallory.spawn(Methods.builder().on("greet", a -> "gotcha").build()));
    assertThat(forged.peer().designator()).isEqualTo(victim.designator());
    Peer bob = peer("bob", TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0));

    assertThatThrownBy(() -> bob.enliven(forged).send("greet", "x").future().get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(BrokenException.class)
        .hasMessageContaining("not the dialled designator " + victim.designator());
    assertThat(bob.sessions()).isEmpty();
  }
}
