package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A stateful target for the session (issue 12): after a valid op:start-session, arbitrary
 * sequences of op:* records with forged and real positions go to a peer with the usual objects
 * (an echo, a promise that never settles, a caretaker, a factory). Whatever they are, the peer
 * answers or aborts that session; nothing escapes as an unexpected exception (a turn that fails,
 * an internal error), and once the fake peer is gone the peer holds no session. Under {@code mvn
 * test} it replays its seeds; with {@code JAZZER_FUZZ=1} it fuzzes (README, "Fuzzing").
 */
class SessionFuzzTest {
  private static final Bytes ECHO = Bytes.of((byte) 'e');
  private static final Bytes NEVER = Bytes.of((byte) 'n');
  private static final Bytes KEEPER = Bytes.of((byte) 'k');
  private static final Bytes FACTORY = Bytes.of((byte) 'f');
  private static final List<Bytes> SWISS = List.of(ECHO, NEVER, KEEPER, FACTORY, Bytes.of((byte) 'x'));
  private static final String[] OPS = {"op:deliver", "op:deliver-only", "op:listen", "op:get", "op:index",
      "op:untag", "op:gc-export", "op:gc-exports", "op:gc-answer", "op:gc-answers", "op:abort", "op:frobnicate"};

  private static final QueueNetwork NET = new QueueNetwork();
  private static final List<String> UNEXPECTED = new ArrayList<>();
  private static final Peer SERVER;

  static {
    Logger root = Logger.getLogger("io.capnet");
    root.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        String m = String.valueOf(r.getMessage());
        if (r.getLevel().intValue() >= Level.WARNING.intValue() || m.contains("internal error")) {
          synchronized (UNEXPECTED) {
            UNEXPECTED.add(m + (r.getThrown() == null ? "" : ": " + r.getThrown()));
          }
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    SERVER = Peer.builder().name("fuzzed").netlayer(NET.netlayer("fuzzed"))
        .limits(SessionLimits.DEFAULT.withMaxOutstandingQuestions(50).withMaxQueuedDeliveries(50).withMaxListeners(50)
            .withMaxAnswers(100).withMaxExports(100).withAbortLinger(java.time.Duration.ZERO))
        .build();
    Deferred never = SERVER.deferred();
    SERVER.export(SERVER.spawn(a -> a.isEmpty() ? null : a.get(0)), ECHO);
    SERVER.export(SERVER.spawn(a -> never.promise()), NEVER);
    SERVER.export(Caretaker.of(SERVER, SERVER.spawn(a -> Map.of("name", "kept", "n", 1L))).ref(), KEEPER);
    SERVER.export(SERVER.spawn(a -> SERVER.spawn(b -> List.of("made", b))), FACTORY);
  }

  private static Object value(FuzzedDataProvider d, int depth) {
    switch (d.consumeInt(0, depth > 2 ? 5 : 8)) {
      case 0: return d.consumeLong(-3, 200);
      case 1: return d.consumeString(8);
      case 2: return d.consumeBoolean();
      case 3: return new Symbol(d.pickValue(new String[] {"fetch", "fulfill", "break", "deposit-gift", "withdraw-gift"}));
      case 4: return SWISS.get(d.consumeInt(0, SWISS.size() - 1));
      case 5: return Record.of(d.pickValue(new String[] {"desc:export", "desc:answer", "desc:import-object",
          "desc:import-promise"}), d.consumeLong(-1, 12));
      case 6: {
        List<Object> l = new ArrayList<>();
        for (int i = d.consumeInt(0, 3); i > 0; i--) l.add(value(d, depth + 1));
        return l;
      }
      case 7: return Record.of(d.pickValue(OPS), value(d, depth + 1));
      default: return Map.of("name", value(d, depth + 1));
    }
  }

  private static Record message(FuzzedDataProvider d) {
    String op = d.pickValue(OPS);
    Record target = Record.of(d.consumeBoolean() ? "desc:export" : "desc:answer", d.consumeLong(0, 12));
    return switch (op) {
      case "op:deliver" -> Record.of(op, target, List.of(value(d, 0), value(d, 0)),
          d.consumeBoolean() ? (Object) d.consumeLong(-1, 12) : false,
          d.consumeBoolean() ? Record.of("desc:import-object", d.consumeLong(0, 12)) : false);
      case "op:deliver-only" -> Record.of(op, target, List.of(value(d, 0)));
      case "op:listen" -> Record.of(op, target, Record.of("desc:import-object", d.consumeLong(0, 12)), false);
      case "op:get", "op:untag" -> Record.of(op, target, d.consumeString(6), d.consumeLong(0, 40));
      case "op:index" -> Record.of(op, target, d.consumeLong(-1, 4), d.consumeLong(0, 40));
      case "op:gc-export", "op:gc-exports" -> Record.of(op, List.of(d.consumeLong(0, 12)), List.of(d.consumeLong(0, 3)));
      case "op:gc-answer", "op:gc-answers" -> Record.of(op, List.of(d.consumeLong(0, 40)));
      case "op:abort" -> Record.of(op, d.consumeString(10));
      default -> Record.of(op, value(d, 0));
    };
  }

  @FuzzTest(maxDuration = "60s")
  void anySequenceOfOperationsIsAnsweredOrAbortedAndLeavesNothingBehind(FuzzedDataProvider d) throws Exception {
    synchronized (UNEXPECTED) {
      UNEXPECTED.clear();
    }
    try (FakePeer f = FakePeer.dial(NET, "fuzzed", "fake").hello()) {
      try {
        for (int i = d.consumeInt(1, 12); i > 0 && d.remainingBytes() > 0; i--) {
          if (d.consumeInt(0, 3) == 0) f.fetch(SWISS.get(d.consumeInt(0, SWISS.size() - 1)), d.consumeLong(1, 40));
          else f.send(message(d));
        }
        // A question behind them: answered if the session is still up, or the stream ends.
        f.send(Record.of("op:deliver", Record.of("desc:export", 0L), List.of(new Symbol("fetch"), ECHO), 999L,
            Record.of("desc:import-object", 999L)));
      } catch (java.io.IOException aborted) {
        // The peer ended the session (its op:abort is read below): nothing more can be sent.
      }
      for (Object m; (m = f.next()) != null; ) {
        if (m instanceof Record r && (r.hasLabel("op:abort")
            || (r.hasLabel("op:deliver") && Record.of("desc:export", 999L).equals(r.field(0))))) {
          break;
        }
      }
    }
    for (int i = 0; i < 200 && !SERVER.sessions().isEmpty(); i++) Thread.sleep(5);
    assertThat(SERVER.sessions()).as("sessions left behind").isEmpty();
    synchronized (UNEXPECTED) {
      assertThat(UNEXPECTED).as("unexpected failures").isEmpty();
    }
  }
}
