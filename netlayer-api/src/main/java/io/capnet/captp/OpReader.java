package io.capnet.captp;

import io.capnet.value.Record;
import io.capnet.value.Symbol;
import io.capnet.value.Values;
import java.util.List;

/**
 * Checks the shape of each incoming {@code op:*} record (its label, arity and field types, the
 * kinds of descriptor it may hold) and hands it to a {@link Handler} as typed fields, as
 * okhttp's {@code Http2Reader} does for frames. What the fields name (positions in the tables)
 * is the handler's to check. Every refusal is a {@link ProtocolException} whose message says
 * what was wrong.
 *
 * <pre>
 *  <op:start-session version key location sig>        startSession(key, location, sig)
 *  <op:deliver-only target [args]>                     deliver(target, args, -1, null)
 *  <op:deliver target [args] answer-pos|f resolver|f>  deliver(target, args, pos or -1, resolver or null)
 *  <op:listen target listener [wants-partial]>         listen(target, listener)
 *  <op:get|op:index|op:untag subject operand pos>      pick(op, subject, operand, pos)
 *  <op:gc-export(s) [pos...] [delta...]>               gcExports(positions, deltas)
 *  <op:gc-answer(s) [pos...]>                          gcAnswers(positions)
 *  <op:abort reason>                                   abort(reason)
 * </pre>
 */
final class OpReader {
  private OpReader() {}

  /** What a session does with a well-formed operation; runs in the vat. */
  interface Handler {
    void startSession(Object key, Object location, Object signature) throws ProtocolException;

    /** {@code target} is a {@code desc:export} or {@code desc:answer}; {@code resolver} may be null. */
    void deliver(Record target, List<?> args, long answerPosition, Record resolver) throws ProtocolException;

    void listen(Record target, Record listener) throws ProtocolException;

    void pick(String op, Record subject, Object operand, long answerPosition) throws ProtocolException;

    void gcExports(long[] positions, long[] deltas) throws ProtocolException;

    void gcAnswers(long[] positions) throws ProtocolException;

    void abort(Object reason);
  }

  /**
   * Reads one message. Before the session has started only {@code op:start-session} is allowed;
   * after, it is refused.
   */
  static void read(Object message, boolean started, Handler h) throws ProtocolException {
    if (!(message instanceof Record r) || !(r.label() instanceof Symbol op)) {
      throw new ProtocolException("a CapTP message must be an operation record, got " + LocalPromise.kind(message));
    }
    String name = op.name();
    if (!started) {
      if (!name.equals("op:start-session")) throw new ProtocolException("expected op:start-session first, got " + name);
      arity(r, 4);
      if (!CaptpSession.VERSION.equals(r.field(0))) {
        throw new ProtocolException("unsupported CapTP version " + Values.describe(r.field(0), 40)
            + "; this peer speaks \"" + CaptpSession.VERSION + "\"");
      }
      h.startSession(r.field(1), r.field(2), r.field(3));
      return;
    }
    switch (name) {
      case "op:deliver-only" -> {
        arity(r, 2);
        h.deliver(target(r.field(0)), args(r.field(1)), -1, null);
      }
      case "op:deliver" -> {
        arity(r, 4);
        Record target = target(r.field(0));
        List<?> args = args(r.field(1));
        Object resolver = r.field(3);
        if (!Boolean.FALSE.equals(resolver) && !isImport(resolver)) {
          throw new ProtocolException("malformed descriptor: resolve-me-desc must be <desc:import-object n>,"
              + " <desc:import-promise n> or false, got " + Values.describe(resolver, 100));
        }
        long answer = Boolean.FALSE.equals(r.field(2)) ? -1 : position(r.field(2), "answer-pos");
        h.deliver(target, args, answer, resolver instanceof Record d ? d : null);
      }
      case "op:listen" -> {
        if (r.size() != 2 && r.size() != 3) throw arityError(r, "2 or 3");
        Record target = target(r.field(0));
        if (!isImport(r.field(1))) {
          throw new ProtocolException("malformed descriptor: listen-desc must be <desc:import-object n> or"
              + " <desc:import-promise n>, got " + Values.describe(r.field(1), 100));
        }
        h.listen(target, (Record) r.field(1));
      }
      case "op:get", "op:index", "op:untag" -> {
        arity(r, 3);
        Record subject = target(r.field(0));
        Object operand = r.field(1);
        long answer = position(r.field(2), "new-answer-pos");
        boolean wellFormed = name.equals("op:index") ? operand instanceof Long : operand instanceof String;
        if (!wellFormed) {
          throw new ProtocolException("malformed message: " + name + " takes "
              + (name.equals("op:index") ? "an Integer index" : "a String") + ", got " + LocalPromise.kind(operand));
        }
        h.pick(name, subject, operand, answer);
      }
      case "op:gc-export", "op:gc-exports" -> {
        arity(r, 2);
        List<?> positions = list(r.field(0), "export-positions");
        List<?> deltas = list(r.field(1), "wire-deltas");
        if (positions.size() != deltas.size()) {
          throw new ProtocolException("op:gc-export has " + positions.size() + " positions but "
              + deltas.size() + " wire-deltas");
        }
        long[] p = new long[positions.size()];
        long[] d = new long[deltas.size()];
        for (int i = 0; i < p.length; i++) {
          p[i] = position(positions.get(i), "export position");
          d[i] = position(deltas.get(i), "wire-delta");
        }
        h.gcExports(p, d);
      }
      case "op:gc-answer", "op:gc-answers" -> {
        arity(r, 1);
        List<?> positions = list(r.field(0), "answer-positions");
        long[] p = new long[positions.size()];
        for (int i = 0; i < p.length; i++) p[i] = position(positions.get(i), "answer position");
        h.gcAnswers(p);
      }
      case "op:abort" -> {
        arity(r, 1);
        h.abort(r.field(0));
      }
      case "op:start-session" -> throw new ProtocolException("a second op:start-session in one session");
      default -> throw new ProtocolException("unknown operation " + name);
    }
  }

  private static boolean isImport(Object v) {
    return v instanceof Record d && (d.hasLabel("desc:import-object") || d.hasLabel("desc:import-promise"));
  }

  private static Record target(Object desc) throws ProtocolException {
    if (desc instanceof Record r && (r.hasLabel("desc:export") || r.hasLabel("desc:answer"))) return r;
    throw new ProtocolException("malformed descriptor: a message target must be <desc:export n> or"
        + " <desc:answer n>, got " + Values.describe(desc, 100));
  }

  private static List<?> args(Object v) throws ProtocolException {
    if (v instanceof List<?> l) return l;
    throw new ProtocolException("message args must be a List, got " + LocalPromise.kind(v));
  }

  static void arity(Record r, int n) throws ProtocolException {
    if (r.size() != n) throw arityError(r, String.valueOf(n));
  }

  static ProtocolException arityError(Record r, String expected) {
    String label = r.label() instanceof Symbol s ? s.name() : "?";
    return new ProtocolException((label.startsWith("desc:") ? "malformed descriptor: " : "malformed message: ")
        + label + " takes " + expected + " fields, got " + r.size());
  }

  static long position(Object p, String what) throws ProtocolException {
    if (p instanceof Long n && n >= 0) return n;
    throw new ProtocolException("malformed message: " + what + " must be a non-negative integer, got "
        + Values.describe(p, 40));
  }

  private static List<?> list(Object v, String what) throws ProtocolException {
    if (v instanceof List<?> l) return l;
    throw new ProtocolException("malformed message: " + what + " must be a List, got " + LocalPromise.kind(v));
  }
}
