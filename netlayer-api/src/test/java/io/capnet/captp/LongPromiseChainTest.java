package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.value.Bytes;
import io.capnet.value.Record;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A 9,990-link pipelined op:get chain overflowed the vat's stack when its root settled (issue 12
 * #9). Settling is iterative now: the whole chain settles, and the session goes on.
 */
@Timeout(60)
class LongPromiseChainTest {
  private final QueueNetwork net = new QueueNetwork();
  private Peer server;

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void aTenThousandLinkPipelinedGetChainSettlesWhenItsRootDoes() throws Exception {
    int links = 9_990;
    server = Peer.builder().name("server").netlayer(net.netlayer("server"))
        .limits(SessionLimits.DEFAULT.withMaxOutstandingQuestions(20_000)).build();
    Deferred root = server.deferred();
    server.export(server.spawn(a -> root.promise()), Bytes.of((byte) 'r'));
    try (FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      f.send(Record.of("op:deliver", f.fetch(Bytes.of((byte) 'r'), 1), List.of(), 2L, false));
      // answer 2 is the root; each op:get asks for field "next" of the answer before it.
      for (long i = 0; i < links; i++) f.send(Record.of("op:get", Record.of("desc:answer", 2L + i), "next", 3L + i));
      f.send(Record.of("op:listen", Record.of("desc:answer", 2L + links), Record.of("desc:import-object", 7L), false));
      // A fetch answered behind the chain shows the server has read all of it.
      f.send(Record.of("op:deliver", Record.of("desc:export", 0L),
          List.of(new io.capnet.value.Symbol("fetch"), Bytes.of((byte) 'r')), 99_999L, Record.of("desc:import-object", 8L)));
      assertThat(f.expect("op:deliver").field(0)).isEqualTo(Record.of("desc:export", 8L));
      java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
      server.execute(() -> {
        Object value = "the end"; // nested "next" fields, 9,990 deep
        for (int i = 0; i < links; i++) value = Map.of("next", value);
        root.fulfill(value);
        done.complete(null);
      });
      done.get(10, java.util.concurrent.TimeUnit.SECONDS);
      Record answer = f.expect("op:deliver");
      assertThat(answer.field(0)).isEqualTo(Record.of("desc:export", 7L));
      assertThat(answer.field(1)).isEqualTo(List.of(new io.capnet.value.Symbol("fulfill"), "the end"));
    }
  }
}
