package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.netlayer.EventLoop;
import io.capnet.netlayer.Netlayers;
import io.capnet.value.Bytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the vat's own loop promises: no thread per session, back-pressure, order, no stalls. */
@Timeout(120)
class EventLoopSessionTest {
  private final List<Peer> peers = new ArrayList<>();

  private Peer peer(String name, SessionLimits limits) throws Exception {
    Peer p = Peer.builder().name(name).limits(limits).netlayer(Netlayers.tcpTestingOnly("127.0.0.1", 0)).build();
    peers.add(p);
    return p;
  }

  private Peer peer(String name) throws Exception {
    return peer(name, SessionLimits.DEFAULT);
  }

  @AfterEach
  void closeAll() {
    peers.forEach(Peer::close);
  }

  private static Object await(Promise p) throws Exception {
    return p.future().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aPeerThatStopsReadingIsCutOffAtMaxOutboundBytesWhileTheVatServesOthers() throws Exception {
    Peer alice = peer("alice", SessionLimits.DEFAULT.withMaxOutboundBytes(1 << 20));
    Peer bob = peer("bob");
    Peer carol = peer("carol");
    Ref sinkAtAlice = (Ref) await(alice.enliven(bob.export(bob.spawn(a -> null))));
    Ref echoAtCarol = (Ref) await(carol.enliven(alice.export(alice.spawn(a -> a.get(1)))));
    CompletableFuture<Object> cutOff = new CompletableFuture<>();
    sinkAtAlice.whenBroken(cutOff::complete);

    CountDownLatch release = new CountDownLatch(1);
    bob.execute(() -> { // bob's vat stops: bob no longer reads anything alice sends
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      Bytes mib = Bytes.of(new byte[1 << 20]);
      alice.execute(() -> {
        for (int i = 0; i < 64; i++) sinkAtAlice.sendOnly("take", mib);
      });
      assertThat(cutOff.get(30, TimeUnit.SECONDS)).asString()
          .contains("more than " + (1 << 20) + " bytes queued for the peer: it is not reading");
      // Alice's vat was never stuck on bob: carol's round trips go on while bob is still stalled.
      for (int i = 0; i < 100; i++) assertThat(await(echoAtCarol.send("echo", (long) i))).isEqualTo((long) i);
      assertThat(release.getCount()).as("bob is still stalled").isEqualTo(1);
    } finally {
      release.countDown();
    }
  }

  @Test
  void manySendsAreReadByThePeerBeforeTheVatIsDoneSendingThem() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    CountDownLatch firstArrived = new CountDownLatch(1);
    Ref sink = bob.spawn(a -> {
      firstArrived.countDown();
      return null;
    });
    Ref sinkAtAlice = (Ref) await(alice.enliven(bob.export(sink)));
    CompletableFuture<Boolean> seenBeforeTheLastTask = new CompletableFuture<>();
    Bytes kib = Bytes.of(new byte[1024]);
    alice.execute(() -> {
      // 4 MiB of sends, then a task queued behind them that waits for bob: the sends must be
      // written as they queue up, not only once the vat's tasks are all done.
      for (int i = 0; i < 4096; i++) sinkAtAlice.sendOnly("take", kib);
      alice.execute(() -> {
        try {
          seenBeforeTheLastTask.complete(firstArrived.await(20, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          seenBeforeTheLastTask.completeExceptionally(e);
        }
      });
    });
    assertThat(seenBeforeTheLastTask.get(30, TimeUnit.SECONDS)).as("bob got a message while alice's vat still ran").isTrue();
  }

  @Test
  void sendsFromManyThreadsAtOnceKeepEachThreadsOrderOnOneReference() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Map<Long, List<Long>> seen = new HashMap<>(); // alice's vat only
    Ref recorder = alice.spawn(a -> {
      if (a.size() == 3) seen.computeIfAbsent((Long) a.get(1), k -> new ArrayList<>()).add((Long) a.get(2));
      return "ok";
    });
    Ref atBob = (Ref) await(bob.enliven(alice.export(recorder)));
    int threads = 8;
    int each = 2_000;
    List<Thread> senders = new ArrayList<>();
    List<CompletableFuture<Object>> last = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long id = t;
      CompletableFuture<Object> done = new CompletableFuture<>();
      last.add(done);
      senders.add(Thread.ofPlatform().start(() -> {
        for (long i = 0; i < each; i++) atBob.sendOnly("record", id, i);
        atBob.send("flush").future().whenComplete((v, e) -> done.complete(v));
      }));
    }
    for (Thread s : senders) s.join();
    for (CompletableFuture<Object> f : last) assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
    CompletableFuture<Map<Long, List<Long>>> copy = new CompletableFuture<>();
    alice.execute(() -> copy.complete(new HashMap<>(seen)));
    Map<Long, List<Long>> got = copy.get(10, TimeUnit.SECONDS);
    List<Long> expected = new ArrayList<>();
    for (long i = 0; i < each; i++) expected.add(i);
    assertThat(got).hasSize(threads);
    for (var e : got.entrySet()) assertThat(e.getValue()).as("thread %d's sends, in order", e.getKey()).isEqualTo(expected);
  }

  @Test
  void aPeerCostsOneThreadHoweverManySessionsItHoldsAndNoneOutlivesClose() throws Exception {
    Peer warm = peer("warm-up"); // the process-wide cleaner and the JDK's own threads start once
    await(peer("warm-up-client").enliven(warm.export(warm.spawn(a -> "hi"))));
    Set<String> before = platformThreads();

    Peer server = Peer.builder().name("server").netlayer(Netlayers.tcpTestingOnly("127.0.0.1", 0)).build();
    Ref echo = server.spawn(a -> a.get(1));
    EventLoop clientsLoop = Peer.newEventLoop("capnet-test-clients", null);
    List<Peer> clients = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Peer c = Peer.builder().name("client-" + i).eventLoop(clientsLoop)
          .netlayer(Netlayers.tcpTestingOnly("127.0.0.1", 0)).build();
      clients.add(c);
      Ref r = (Ref) await(c.enliven(server.export(echo)));
      assertThat(await(r.send("echo", "x" + i))).isEqualTo("x" + i);
    }
    assertThat(server.sessions()).hasSize(50);
    Set<String> during = platformThreads();
    during.removeAll(before);
    assertThat(during).as("new platform threads with 50 sessions").containsExactlyInAnyOrder(
        "capnet-vat server", "capnet-test-clients");

    clients.forEach(Peer::close);
    server.close();
    Set<String> after = platformThreads();
    for (int i = 0; i < 100 && !before.containsAll(without(after, "capnet-test-clients")); i++) {
      Thread.sleep(50);
      after = platformThreads();
    }
    after.removeAll(before);
    assertThat(after).as("platform threads left after every peer closed (the shared loop lives on)")
        .containsOnly("capnet-test-clients");
  }

  private static Set<String> without(Set<String> s, String name) {
    Set<String> copy = new HashSet<>(s);
    copy.remove(name);
    return copy;
  }

  private static Set<String> platformThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isVirtual())
        .map(Thread::getName).collect(Collectors.toCollection(HashSet::new));
  }
}
