package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.locator.Sturdyref;
import io.capnet.value.OcapnError;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class SessionBasicsTest {
  private final QueueNetwork net = new QueueNetwork();
  private final List<Peer> peers = new ArrayList<>();

  private final java.util.Map<String, QueueNetwork.Layer> layers = new java.util.HashMap<>();

  private Peer peer(String name) {
    QueueNetwork.Layer layer = net.netlayer(name);
    layers.put(name, layer);
    Peer p = Peer.builder().name(name).netlayer(layer).build();
    peers.add(p);
    return p;
  }

  @AfterEach
  void closePeers() {
    peers.forEach(Peer::close);
  }

  static Object await(Promise p) throws Exception {
    return p.future().get(10, TimeUnit.SECONDS);
  }

  static Ref counter(Peer p) {
    int[] n = {0};
    return p.spawn(Methods.builder().on("next", a -> (long) ++n[0]).build());
  }

  @Test
  void sendReachesARemoteObjectAndAnswers() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Sturdyref uri = alice.export(alice.spawn(Methods.builder().on("greet", a -> "Hello, " + a.get(0)).build()));
    Promise greeter = bob.enliven(uri.toUri());
    assertThat(await(greeter.send("greet", "Bob"))).isEqualTo("Hello, Bob");
    assertThat(bob.sessions()).hasSize(1);
    assertThat(alice.sessions()).hasSize(1);
  }

  @Test
  void pipelinedSendsCostNoExtraRoundTrip() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Deferred factoryLater = alice.deferred();
    Ref car = alice.spawn(Methods.builder().on("drive", a -> "Vroom").build());
    Ref factory = alice.spawn(Methods.builder().on("make", a -> car).build());
    Sturdyref uri = alice.export(alice.spawn(Methods.builder().on("factory", a -> factoryLater.promise()).build()));
    Ref builder = (Ref) await(bob.enliven(uri));
    QueueNetwork.Layer bobWire = layers.get("bob");
    QueueNetwork.Layer aliceWire = layers.get("alice");
    bobWire.sent.clear();
    aliceWire.sent.clear();

    Promise noise = builder.send("factory").send("make").send("drive");

    List<Record> delivers = new ArrayList<>();
    while (delivers.size() < 3) {
      Object frame = bobWire.sent.poll(5, TimeUnit.SECONDS);
      assertThat(frame).as("bob's next frame").isNotNull();
      if (((Record) frame).hasLabel("op:deliver")) delivers.add((Record) frame);
    }
    // All three went out while the first answer cannot exist yet: one round trip in all.
    assertThat(delivers).extracting(r -> ((Record) r.field(0)).label())
        .containsExactly(new Symbol("desc:export"), new Symbol("desc:answer"), new Symbol("desc:answer"));
    assertThat(delivers.get(1).field(0)).isEqualTo(Record.of("desc:answer", delivers.get(0).field(2)));
    assertThat(delivers.get(2).field(0)).isEqualTo(Record.of("desc:answer", delivers.get(1).field(2)));
    assertThat(aliceWire.sent).noneMatch(f -> f instanceof Record r && r.hasLabel("op:deliver"));
    assertThat(noise.future()).isNotDone();

    factoryLater.fulfill(factory);
    assertThat(await(noise)).isEqualTo("Vroom");
  }

  @Test
  void handlerExceptionBreaksTheAnswerWithItsMessage() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Sturdyref uri = alice.export(alice.spawn(a -> {
      throw new IllegalStateException("no way");
    }));
    Promise p = bob.enliven(uri).send("x");
    assertThatThrownBy(() -> await(p)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(BrokenException.class).hasMessage("no way");
  }

  @Test
  void threePeerHandoffGivesTheReceiverADirectReference() throws Exception {
    Peer exporter = peer("exporter");
    Peer gifter = peer("gifter");
    Peer receiver = peer("receiver");
    Ref counter = counter(exporter);
    Sturdyref counterUri = exporter.export(counter);
    Ref user = receiver.spawn(Methods.builder().on("use", a -> ((Ref) a.get(0)).send("next")).build());
    Sturdyref userUri = receiver.export(user);
    Ref remoteCounter = (Ref) await(gifter.enliven(counterUri));
    assertThat(await(remoteCounter.send("next"))).isEqualTo(1L);
    Ref remoteUser = (Ref) await(gifter.enliven(userUri));
    assertThat(await(remoteUser.send("use", remoteCounter))).isEqualTo(2L);
    assertThat(receiver.sessions()).extracting(l -> l.designator()).contains("exporter", "gifter");
  }

  @Test
  void caretakerRevocationBreaksLocalAndRemoteHolders() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Caretaker c = Caretaker.of(alice, counter(alice));
    Sturdyref uri = alice.export(c.ref());
    Ref remote = (Ref) await(bob.enliven(uri));
    assertThat(await(remote.send("next"))).isEqualTo(1L);
    CompletableFuture<Object> broken = new CompletableFuture<>();
    remote.whenBroken(broken::complete);
    Thread.sleep(100);
    c.revoke("done");
    assertThat(broken.get(5, TimeUnit.SECONDS)).isEqualTo(new OcapnError("revoked: done"));
    assertThatThrownBy(() -> await(remote.send("next"))).hasMessageContaining("revoked: done");
  }

  @Test
  void facetRefusesMethodsNotNamed() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Ref both = alice.spawn(Methods.builder().on("read", a -> "r").on("write", a -> "w").build());
    Ref reader = (Ref) await(bob.enliven(alice.export(Facet.of(alice, both, "read"))));
    assertThat(await(reader.send("read"))).isEqualTo("r");
    assertThatThrownBy(() -> await(reader.send("write")))
        .hasMessageContaining("'write is not allowed through this facet; allowed: ['read]");
  }

  @Test
  void sessionDeathBreaksPromisesAndReferences() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Deferred never = alice.deferred();
    Ref waiter = alice.spawn(a -> never.promise());
    Ref remote = (Ref) await(bob.enliven(alice.export(waiter)));
    Promise pending = remote.send("wait");
    CompletableFuture<Object> broken = new CompletableFuture<>();
    remote.whenBroken(broken::complete);
    alice.abortSession(bob.locator(), "testing");
    assertThat(broken.get(5, TimeUnit.SECONDS).toString()).contains("testing");
    assertThatThrownBy(() -> await(pending)).hasMessageContaining("testing");
  }

  @Test
  void getIndexAndUntagPipeline() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Ref data = alice.spawn(a -> java.util.Map.of("xs", List.of(1L, new io.capnet.value.Tagged("t", "v"))));
    Ref remote = (Ref) await(bob.enliven(alice.export(data)));
    assertThat(await(remote.send("x").get("xs").index(1).untag("t"))).isEqualTo("v");
    assertThatThrownBy(() -> await(remote.send("x").get("nope"))).hasMessageContaining("no field \"nope\"");
  }
}
