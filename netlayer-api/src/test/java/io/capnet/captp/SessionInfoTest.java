package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.locator.PeerLocator;
import io.capnet.locator.Sturdyref;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.InMemoryNetwork;
import io.capnet.netlayer.Netlayer;
import io.capnet.value.Bytes;
import io.capnet.value.OcapnError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Peer.caller(), the swiss resolver, fetchOver and independent incoming sessions. */
@Timeout(20)
class SessionInfoTest {
  private final InMemoryNetwork net = InMemoryNetwork.create();
  private final List<AutoCloseable> open = new ArrayList<>();

  private Peer peer(String name, java.util.function.UnaryOperator<Peer.Builder> options) {
    Peer p = options.apply(Peer.builder().name(name).netlayer(net.netlayer(name))).build();
    open.add(p);
    return p;
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open.reversed()) c.close();
  }

  private static Object await(Promise p) throws Exception {
    return p.future().get(10, TimeUnit.SECONDS);
  }

  private static Bytes swiss(String s) {
    return Bytes.of(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void handlerLearnsTheCallingSession() throws Exception {
    Peer alice = peer("alice", b -> b);
    Peer bob = peer("bob", b -> b);
    Ref whoami = alice.spawn(args -> Peer.caller().map(c -> c.remote().designator()).orElse("nobody"));
    Ref sessionIdOf = alice.spawn(args -> Peer.caller().orElseThrow().sessionId());
    Ref remoteWhoami = (Ref) await(bob.enliven(alice.export(whoami)));
    Ref remoteSessionId = (Ref) await(bob.enliven(alice.export(sessionIdOf)));

    assertThat(await(remoteWhoami.send("who"))).isEqualTo("bob");
    assertThat(await(remoteSessionId.send("id"))).isInstanceOf(Bytes.class);
    assertThat(await(whoami.send("who"))).as("a local send has no calling session").isEqualTo("nobody");
    assertThat(Peer.caller()).isEmpty();
  }

  @Test
  void swissResolverAnswersFetchesForUnexportedSwissNumbers() throws Exception {
    Peer[] self = new Peer[1];
    Peer carol = peer("carol", b -> b.swissResolver(s -> {
      if (s.equals(swiss("refuse"))) throw new BrokenException(new OcapnError("not for you"));
      if (!s.equals(swiss("mine"))) return null;
      String who = Peer.caller().orElseThrow().remote().designator();
      return self[0].spawn(args -> "made for " + who);
    }));
    self[0] = carol;
    Peer bob = peer("bob", b -> b);
    Ref mine = (Ref) await(bob.enliven(Sturdyref.of(carol.locator(), swiss("mine"))));
    assertThat(await(mine.send("hi"))).isEqualTo("made for bob");
    assertThatThrownBy(() -> await(bob.enliven(Sturdyref.of(carol.locator(), swiss("refuse")))))
        .isInstanceOf(ExecutionException.class).hasMessageContaining("not for you");
    assertThatThrownBy(() -> await(bob.enliven(Sturdyref.of(carol.locator(), swiss("other")))))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("no object is exported under that swiss number");
  }

  @Test
  void fetchOverRunsASessionOnAGivenConnection() throws Exception {
    Peer alice = peer("alice", b -> b);
    alice.export(alice.spawn(args -> "over " + Peer.caller().orElseThrow().remote().designator()), swiss("svc"));
    Peer bob = peer("bob", b -> b);
    Netlayer dialer = net.netlayer("dialer");
    open.add(dialer);
    Connection c = dialer.connect(alice.locator());
    Ref svc = (Ref) await(bob.fetchOver(c, swiss("svc")));
    assertThat(await(svc.send("x"))).isEqualTo("over bob");
  }

  @Test
  void fetchOverBreaksWhenTheSessionNeverStarts() throws Exception {
    Peer bob = peer("bob", b -> b.limits(SessionLimits.DEFAULT.withStartTimeout(java.time.Duration.ofMillis(300))));
    Netlayer silent = net.netlayer("silent");
    open.add(silent);
    silent.accept(conn -> {}); // accepts and never speaks
    Netlayer dialer = net.netlayer("dialer");
    open.add(dialer);
    Connection c = dialer.connect(silent.locator());
    assertThatThrownBy(() -> await(bob.fetchOver(c, swiss("svc"))))
        .isInstanceOf(ExecutionException.class).hasMessageContaining("no op:start-session within 300 ms");
  }

  @Test
  void independentIncomingSessionsLetTwoCallersClaimOneLocation() throws Exception {
    Peer server = peer("server", Peer.Builder::independentIncomingSessions);
    server.export(server.spawn(args -> "ok"), swiss("svc"));
    Peer first = Peer.builder().name("m1").netlayer(net.netlayer("mallory")).build();
    open.add(first);
    Ref a = (Ref) await(first.enliven(Sturdyref.of(server.locator(), swiss("svc"))));
    assertThat(await(a.send("ping"))).isEqualTo("ok");
    // A second peer announcing the same location would supersede the first on a normal peer.
    Netlayer dialer = net.netlayer("dialer2");
    open.add(dialer);
    Peer second = Peer.builder().name("m2").netlayer(claiming(dialer, first.locator())).build();
    open.add(second);
    Ref b = (Ref) await(second.fetchOver(dialer.connect(server.locator()), swiss("svc")));
    assertThat(await(b.send("ping"))).isEqualTo("ok");
    assertThat(await(a.send("ping"))).as("the first caller's session survives").isEqualTo("ok");
  }

  /** A netlayer that announces someone else's location. */
  private static Netlayer claiming(Netlayer real, PeerLocator claimed) {
    return new Netlayer() {
      @Override public String transport() { return real.transport(); }
      @Override public PeerLocator locator() { return claimed; }
      @Override public Connection connect(PeerLocator remote) throws java.io.IOException { return real.connect(remote); }
      @Override public void accept(java.util.function.Consumer<Connection> incoming) {}
      @Override public boolean supports(io.capnet.netlayer.NetlayerCapability c) { return real.supports(c); }
      @Override public void close() throws java.io.IOException { real.close(); }
    };
  }
}
