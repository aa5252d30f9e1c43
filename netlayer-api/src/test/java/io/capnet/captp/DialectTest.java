package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The two spellings of no-answer sends and GC, and learning which one a peer speaks. */
@Timeout(30)
class DialectTest {
  static final Bytes GREETER = Bytes.of((byte) 'g');
  private final QueueNetwork net = new QueueNetwork();
  private Peer server;

  private void start(Dialect dialect) {
    server = Peer.builder().name("server").netlayer(net.netlayer("server")).dialect(dialect)
        .collectGarbageEvery(Duration.ofMillis(20)).build();
    // Greets its argument with a send that wants no answer, then drops it.
    server.export(server.spawn(a -> {
      ((Ref) a.get(0)).callOnly(List.of("Hello"));
      return true;
    }), GREETER);
  }

  @AfterEach
  void close() {
    server.close();
  }

  /** Sends the greeter a reference with {@code how}, and returns the greeting and the GC that follow. */
  private Record[] greet(FakePeer f, Record how) throws Exception {
    Record greeting = null;
    Record gc = null;
    f.send(how);
    while (greeting == null || gc == null) {
      Record r = (Record) f.next();
      if (r.hasLabel("op:gc-export") || r.hasLabel("op:gc-exports")) gc = r;
      else if (r.fields().contains(List.of("Hello"))) greeting = r;
    }
    return new Record[] {greeting, gc};
  }

  private static Record toGreeter(FakePeer f, boolean legacy) throws Exception {
    Record greeter = f.fetch(GREETER, 1);
    Record arg = Record.of("desc:import-object", 5L);
    return legacy ? Record.of("op:deliver-only", greeter, List.of(arg))
        : Record.of("op:deliver", greeter, List.of(arg), false, false);
  }

  @Test
  void draftSpellsNoAnswerSendsAsDeliverFalseFalseAndGcInThePlural() throws Exception {
    start(Dialect.DRAFT);
    try (FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      Record[] got = greet(f, toGreeter(f, true));
      assertThat(got[0]).isEqualTo(Record.of("op:deliver", Record.of("desc:export", 5L), List.of("Hello"), false, false));
      assertThat(got[1]).isEqualTo(Record.of("op:gc-exports", List.of(5L), List.of(1L)));
    }
  }

  @Test
  void legacySpellsNoAnswerSendsAsDeliverOnlyAndGcInTheSingular() throws Exception {
    start(Dialect.LEGACY);
    try (FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      Record[] got = greet(f, toGreeter(f, false));
      assertThat(got[0]).isEqualTo(Record.of("op:deliver-only", Record.of("desc:export", 5L), List.of("Hello")));
      assertThat(got[1]).isEqualTo(Record.of("op:gc-export", List.of(5L), List.of(1L)));
    }
  }

  @Test
  void adaptiveLearnsLegacyFromThePeersDeliverOnly() throws Exception {
    start(Dialect.ADAPTIVE);
    try (FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      Record[] got = greet(f, toGreeter(f, true));
      assertThat(got[0]).isEqualTo(Record.of("op:deliver-only", Record.of("desc:export", 5L), List.of("Hello")));
      assertThat(got[1].label()).isEqualTo(new Symbol("op:gc-export"));
    }
  }

  @Test
  void adaptiveLearnsDraftFromThePeersDeliverFalseFalse() throws Exception {
    start(Dialect.ADAPTIVE);
    try (FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      Record[] got = greet(f, toGreeter(f, false));
      assertThat(got[0]).isEqualTo(Record.of("op:deliver", Record.of("desc:export", 5L), List.of("Hello"), false, false));
      assertThat(got[1].label()).isEqualTo(new Symbol("op:gc-exports"));
    }
  }

  @Test
  void adaptiveUsesAFormBothReadUntilItKnows() throws Exception {
    start(Dialect.ADAPTIVE);
    try (FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      // The fetch answer goes to our resolver before we have shown a dialect.
      f.send(Record.of("op:deliver", Record.of("desc:export", 0L), List.of(new Symbol("fetch"), GREETER),
          false, Record.of("desc:import-object", 0L)));
      Record answer = f.expect("op:deliver");
      assertThat(answer.field(0)).isEqualTo(Record.of("desc:export", 0L));
      assertThat(answer.field(2)).isEqualTo(false);
      assertThat(answer.field(3)).isInstanceOf(Record.class);
      assertThat(((Record) answer.field(3)).label()).isEqualTo(new Symbol("desc:import-object"));
    }
  }
}
