package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a remote peer can leave waiting on our unsettled promises is bounded per session (issue 12
 * #7): a scripted peer passes each bound for real and is cut off naming the limit, while staying
 * under it works.
 */
@Timeout(20)
class HeldForPeerLimitsTest {
  private static final Bytes HANG = Bytes.of((byte) 'h');
  private final QueueNetwork net = new QueueNetwork();
  private Peer server;
  private Deferred pending;

  @BeforeEach
  void start() {
    server = Peer.builder().name("server").netlayer(net.netlayer("server"))
        .limits(SessionLimits.DEFAULT.withMaxQueuedDeliveries(20).withMaxListeners(20).withMaxOutstandingQuestions(5)
            .withMaxAnswers(30))
        .build();
    pending = server.deferred();
    server.export(server.spawn(a -> pending.promise()), HANG);
  }

  @AfterEach
  void close() {
    server.close();
  }

  /** A session whose answer position 2 is a promise of ours that has not settled. */
  private FakePeer withPendingAnswer() throws Exception {
    FakePeer f = FakePeer.dial(net, "server", "fake").hello();
    Record hang = f.fetch(HANG, 1);
    f.send(Record.of("op:deliver", hang, List.of(), 2L, false));
    return f;
  }

  @Test
  void messagesQueuedOnAnUnsettledPromisePastTheLimitEndTheSession() throws Exception {
    try (FakePeer f = withPendingAnswer()) {
      for (int i = 0; i < 21; i++) f.send(Record.of("op:deliver-only", Record.of("desc:answer", 2L), List.of("m" + i)));
      assertThat(f.abortReason())
          .isEqualTo("more than 20 messages queued on promises that have not settled (maxQueuedDeliveries)");
    }
  }

  @Test
  void queuedMessagesStopCountingOnceThePromiseSettles() throws Exception {
    Ref sink = server.spawn(a -> null);
    try (FakePeer f = withPendingAnswer()) {
      for (int i = 0; i < 20; i++) f.send(Record.of("op:deliver-only", Record.of("desc:answer", 2L), List.of("a" + i)));
      java.util.concurrent.CompletableFuture<Void> settled = new java.util.concurrent.CompletableFuture<>();
      server.execute(() -> {
        pending.fulfill(sink);
        settled.complete(null);
      });
      settled.get(10, java.util.concurrent.TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) f.send(Record.of("op:deliver-only", Record.of("desc:answer", 2L), List.of("b" + i)));
      // A question behind them answers only if the session is still up.
      f.send(Record.of("op:deliver", Record.of("desc:answer", 2L), List.of("last"), 3L, false));
      f.send(Record.of("op:listen", Record.of("desc:answer", 3L), Record.of("desc:import-object", 9L), false));
      Record answer = f.expect("op:deliver");
      assertThat(answer.field(0)).isEqualTo(Record.of("desc:export", 9L));
    }
  }

  @Test
  void listenersOnAnUnsettledPromisePastTheLimitEndTheSession() throws Exception {
    try (FakePeer f = withPendingAnswer()) {
      for (int i = 0; i < 21; i++) {
        f.send(Record.of("op:listen", Record.of("desc:answer", 2L), Record.of("desc:import-object", 9L + i), false));
      }
      assertThat(f.abortReason())
          .isEqualTo("more than 20 op:listen waiting on promises or caretakers (maxListeners)");
    }
  }

  @Test
  void answerPositionsNeverFreedPastTheLimitEndTheSession() throws Exception {
    try (FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      for (long pos = 1; pos <= 31; pos++) f.fetch(HANG, pos); // each fetch settles at once
      assertThat(f.abortReason())
          .isEqualTo("more than 30 answer positions in use; op:gc-answers frees them (maxAnswers)");
    }
  }

  @Test
  void answerPositionsFreedByGcAnswersCanBeUsedAgainWithoutLimit() throws Exception {
    try (FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      for (long pos = 1; pos <= 100; pos++) {
        f.fetch(HANG, pos);
        f.send(Record.of("op:gc-answers", List.of(pos)));
      }
      f.send(Record.of("op:deliver", Record.of("desc:export", 0L), List.of(new Symbol("fetch"), HANG), 200L,
          Record.of("desc:import-object", 5L)));
      assertThat(f.expect("op:deliver").field(0)).isEqualTo(Record.of("desc:export", 5L));
    }
  }

  @Test
  void objectsExportedAndNeverReleasedPastTheLimitEndTheSession() throws Exception {
    Peer factoryServer = Peer.builder().name("factory").netlayer(net.netlayer("factory"))
        .limits(SessionLimits.DEFAULT.withMaxExports(30)).build();
    try {
      Bytes factory = Bytes.of((byte) 'f');
      factoryServer.export(factoryServer.spawn(a -> factoryServer.spawn(b -> "fresh")), factory);
      try (FakePeer f = FakePeer.dial(net, "factory", "fake").hello()) {
        Record made = f.fetch(factory, 1);
        // Each answer is a new object, exported to us; we never send op:gc-exports.
        for (long i = 0; i < 40; i++) f.send(Record.of("op:deliver", made, List.of(), 2L + i, false));
        for (long i = 0; i < 40; i++) {
          f.send(Record.of("op:listen", Record.of("desc:answer", 2L + i), Record.of("desc:import-object", 100L + i),
              false));
        }
        assertThat(f.abortReason())
            .isEqualTo("more than 30 objects exported to the peer and not released (maxExports)");
      }
    } finally {
      factoryServer.close();
    }
  }

  @Test
  void anOutOfMemoryErrorInATurnEndsOnlyTheSessionWhoseMessageRanIt() throws Exception {
    Bytes oom = Bytes.of((byte) 'o');
    server.export(server.spawn(a -> {
      throw new OutOfMemoryError("simulated: the handler's allocation failed");
    }), oom);
    try (FakePeer bystander = FakePeer.dial(net, "server", "bystander").hello();
        FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      f.send(Record.of("op:deliver", f.fetch(oom, 1), List.of(), 2L, false));
      assertThat(f.abortReason()).isEqualTo("out of memory while handling a message from the peer");
      bystander.send(Record.of("op:deliver", Record.of("desc:export", 0L), List.of(new Symbol("fetch"), HANG), 1L,
          Record.of("desc:import-object", 3L)));
      assertThat(bystander.expect("op:deliver").field(0)).isEqualTo(Record.of("desc:export", 3L));
    }
  }
}
