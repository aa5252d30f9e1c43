package io.capnet.captp;

import io.capnet.value.OcapnError;
import io.capnet.value.Record;
import io.capnet.value.Tagged;
import io.capnet.value.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Every promise this peer holds. It may be backed by a remote promise (an answer position or an
 * imported promise) in one session: while unsettled, messages to it are pipelined there.
 * All state is vat-confined, except the future, which is thread-safe.
 */
final class LocalPromise extends RefImpl implements Promise {
  private enum State { PENDING, FORWARDED, FULFILLED, BROKEN }

  private final CompletableFuture<Object> future = new CompletableFuture<>();
  private State state = State.PENDING;
  private Object value; // FULFILLED: the value; BROKEN: the reason; FORWARDED: the LocalPromise
  private List<Object[]> queued; // {args, answer} waiting for settlement
  private List<BiConsumer<Object, Object>> settleReactions;
  /** PENDING: a promise for the same value, already asked of a peer; what we are sent goes there. */
  private LocalPromise through;
  /** {args, answer} sent through {@code through}, kept until it answers, to send again if it is lost. */
  private List<Object[]> sentThrough;

  /** Where pipelined messages go while this promise is unsettled; null when local only. */
  CaptpSession remoteSession;
  Record remoteDesc;
  /** The answer position of our own question, or -1. */
  long questionPosition = -1;
  /** Whether the peer will tell us the settlement unasked (we sent a resolve-me-desc). */
  boolean hasResolver;
  /** Whether we have sent op:listen for it. */
  boolean listening;

  LocalPromise(PeerImpl peer) {
    super(peer);
  }

  @Override
  public Kind referenceKind() {
    return Kind.PROMISE;
  }

  @Override
  public boolean isPromise() {
    return true;
  }

  @Override
  public CompletableFuture<Object> future() {
    peer.vat.post(this::wantSettlement);
    return future;
  }

  boolean isSettled() {
    return state == State.FULFILLED || state == State.BROKEN;
  }

  boolean isPending() {
    return state == State.PENDING;
  }

  /** Whether a message delivered now would wait here (no session to pipeline to). */
  boolean queuesLocally() {
    return state == State.PENDING && !(remoteSession != null && remoteSession.isAlive())
        && !(through != null && through.brokenReason() == null);
  }

  /** The promise at the end of the forwarding chain. */
  LocalPromise shortened() {
    LocalPromise p = this;
    while (p.state == State.FORWARDED) p = (LocalPromise) p.value;
    return p;
  }

  Object fulfilledValue() {
    LocalPromise p = shortened();
    return p.state == State.FULFILLED ? p.value : null;
  }

  Object brokenReason() {
    LocalPromise p = shortened();
    return p.state == State.BROKEN ? p.value : null;
  }

  @Override
  void deliver(List<Object> args, LocalPromise answer) {
    if (settling) { // behind the messages that waited for it
      if (queued == null) queued = new ArrayList<>();
      queued.add(new Object[] {args, answer});
      return;
    }
    switch (state) {
      case FORWARDED -> ((LocalPromise) value).deliver(args, answer);
      case FULFILLED -> {
        if (value instanceof RefImpl r) {
          r.deliver(args, answer);
        } else {
          io.capnet.value.Descriptor.closeAllIn(args);
          if (answer != null) answer.breakWith(new OcapnError(
              "cannot deliver a message to a promise fulfilled with "
                  + Values.typeOf(value).name().toLowerCase() + ", not an object"));
        }
      }
      case BROKEN -> {
        io.capnet.value.Descriptor.closeAllIn(args);
        if (answer != null) answer.breakWith(value);
      }
      case PENDING -> {
        if (remoteSession != null && remoteSession.isAlive()) {
          remoteSession.sendDeliver(remoteDesc, args, answer);
        } else if (through != null && through.brokenReason() == null) {
          sendThrough(args, answer);
        } else {
          if (queued == null) queued = new ArrayList<>();
          queued.add(new Object[] {args, answer});
        }
      }
    }
  }

  /**
   * Pipelines what this pending promise is sent to {@code answer}, a question whose answer will
   * settle it (an enliven's fetch): the sends go out behind the question, not after its answer.
   */
  void pipelineThrough(LocalPromise answer) {
    if (state != State.PENDING) return;
    through = answer;
    sendQueued();
  }

  /**
   * Stops {@link #pipelineThrough}: its question went down with a session that lost crossed
   * hellos and will be asked again, so what went through it waits to be sent again too.
   */
  void stopPipelining() {
    through = null;
    List<Object[]> again = sentThrough;
    sentThrough = null;
    if (again != null) for (Object[] m : again) deliver(castArgs(m[0]), (LocalPromise) m[1]);
  }

  // Each answer follows a hop of its own, so that a hop lost to crossed hellos can be replaced.
  private void sendThrough(List<Object> args, LocalPromise answer) {
    if (sentThrough == null) sentThrough = new ArrayList<>();
    sentThrough.add(new Object[] {args, answer});
    LocalPromise hop = answer == null ? null : new LocalPromise(peer);
    if (answer != null) answer.follow(hop);
    through.deliver(args, hop);
  }

  /** Pipelines through {@code hop} and settles as it does, unless it is lost to crossed hellos. */
  private void follow(LocalPromise hop) {
    pipelineThrough(hop);
    hop.onSettled((v, broken) -> {
      if (through != hop) return; // sent again meanwhile: a newer hop stands for this promise
      if (broken != null && lostToCrossedHellos(broken)) stopPipelining(); // whoever sent it sends it again
      else if (broken != null) breakWith(broken);
      else resolve(v);
    });
  }

  static boolean lostToCrossedHellos(Object reason) {
    return reason instanceof OcapnError e && String.valueOf(e.message()).contains("crossed hellos");
  }

  /**
   * Sends what waited for this promise to have somewhere to go: a session that has just asked
   * its question ({@code remoteSession}), or a promise to pipeline through.
   */
  void sendQueued() {
    List<Object[]> q = queued;
    if (q == null || state != State.PENDING) return;
    queued = null;
    for (Object[] m : q) deliver(castArgs(m[0]), (LocalPromise) m[1]);
  }

  /** Settles with {@code v}, or follows it when it is a promise. Ignored once settled. */
  void resolve(Object v) {
    if (state != State.PENDING) return;
    if (v instanceof LocalPromise p) {
      LocalPromise end = p.shortened();
      if (end == this) {
        breakWith(new OcapnError("a promise cannot be resolved to itself"));
        return;
      }
      if (end.isSettled()) {
        if (end.state == State.FULFILLED) resolve(end.value);
        else breakWith(end.value);
        return;
      }
      state = State.FORWARDED;
      value = end;
      through = null;
      sentThrough = null;
      detachRemote();
      List<Object[]> q = queued;
      queued = null;
      if (q != null) for (Object[] m : q) end.deliver(castArgs(m[0]), (LocalPromise) m[1]);
      end.onSettled(this::settleFrom);
      return;
    }
    state = State.FULFILLED;
    value = v;
    settled();
  }

  void breakWith(Object reason) {
    if (state != State.PENDING) return;
    state = State.BROKEN;
    value = reason;
    settled();
  }

  private void settleFrom(Object fulfilled, Object broken) {
    // Only FORWARDED promises get here; they settle as their target did.
    state = State.PENDING;
    if (broken != null) breakWith(broken);
    else resolve(fulfilled);
  }

  /** Settled, with its queued messages and reactions still to run (in {@link #settled}'s loop). */
  private boolean settling;
  private static final ThreadLocal<java.util.ArrayDeque<LocalPromise>> SETTLING =
      ThreadLocal.withInitial(java.util.ArrayDeque::new);
  private static final ThreadLocal<boolean[]> DRAINING = ThreadLocal.withInitial(() -> new boolean[1]);

  /**
   * Runs what waited for this promise, iteratively: a promise settled by a reaction waits its
   * turn in a queue instead of running inside it, so a chain of any length (10,000 pipelined
   * op:gets, say) settles on a bounded stack. Messages and reactions that reach a promise while
   * it waits its turn queue behind those already there.
   */
  private void settled() {
    settling = true;
    java.util.ArrayDeque<LocalPromise> todo = SETTLING.get();
    todo.add(this);
    boolean[] draining = DRAINING.get();
    if (draining[0]) return;
    draining[0] = true;
    try {
      for (LocalPromise p; (p = todo.poll()) != null; ) p.runSettlement();
    } finally {
      draining[0] = false;
    }
  }

  private void runSettlement() {
    settling = false;
    through = null;
    List<Object[]> sent = sentThrough;
    sentThrough = null;
    if (state == State.BROKEN && sent != null) {
      // Not asked again: what followed a hop lost with its session breaks as this promise did.
      for (Object[] m : sent) if (m[1] != null) ((LocalPromise) m[1]).breakWith(value);
    }
    detachRemote();
    List<Object[]> q = queued;
    queued = null;
    if (q != null) for (Object[] m : q) deliver(castArgs(m[0]), (LocalPromise) m[1]);
    List<BiConsumer<Object, Object>> reactions = settleReactions;
    settleReactions = null;
    if (state == State.FULFILLED) future.complete(value);
    else future.completeExceptionally(new BrokenException(value));
    if (reactions != null) {
      for (BiConsumer<Object, Object> r : reactions) {
        try {
          if (state == State.FULFILLED) r.accept(value, null);
          else r.accept(null, value);
        } catch (RuntimeException e) {
          PeerImpl.LOG.log(System.Logger.Level.WARNING, "a promise reaction failed", e);
        }
      }
    }
  }

  private void detachRemote() {
    CaptpSession s = remoteSession;
    remoteSession = null;
    if (s != null && questionPosition >= 0) s.questionSettled(questionPosition);
    questionPosition = -1;
  }

  /**
   * Runs {@code reaction(value, null)} or {@code reaction(null, reason)} once settled, following
   * forwarding; asks a remote promise for its settlement if nobody has yet.
   */
  void onSettled(BiConsumer<Object, Object> reaction) {
    if (settling) {
      if (settleReactions == null) settleReactions = new ArrayList<>(2);
      settleReactions.add(reaction);
      return;
    }
    switch (state) {
      case FULFILLED -> reaction.accept(value, null);
      case BROKEN -> reaction.accept(null, value);
      case FORWARDED, PENDING -> {
        if (settleReactions == null) settleReactions = new ArrayList<>(2);
        settleReactions.add(reaction);
        wantSettlement();
      }
    }
  }

  /** An imported promise learns its settlement only by op:listen; send it once, on demand. */
  void wantSettlement() {
    if (state == State.FORWARDED) {
      ((LocalPromise) value).wantSettlement();
    } else if (state == State.PENDING && remoteSession != null && !listening && !hasResolver) {
      listening = true;
      remoteSession.sendListen(this);
    }
  }

  @Override
  void onBroken(Consumer<Object> reaction) {
    onSettled((v, broken) -> {
      if (broken != null) PeerImpl.runReaction(reaction, broken);
      else if (v instanceof RefImpl r) r.onBroken(reaction);
    });
  }

  @Override
  public Promise get(String name) {
    return derive("get", name);
  }

  @Override
  public Promise index(long index) {
    return derive("index", index);
  }

  @Override
  public Promise untag(String tag) {
    return derive("untag", tag);
  }

  /** What op:get, op:index and op:untag take from a settled value; a BrokenException if they can't. */
  static Function<Object, Object> picker(String op, Object operand) {
    return switch (op) {
      case "get" -> v -> {
        if (!(v instanceof Map<?, ?> m)) throw broken("op:get needs a Struct, got " + kind(v));
        Object f = m.get(operand);
        if (f == null) throw broken("the Struct has no field \"" + operand + "\"");
        return f;
      };
      case "index" -> v -> {
        long index = (Long) operand;
        if (!(v instanceof List<?> l)) throw broken("op:index needs a List, got " + kind(v));
        if (index < 0 || index >= l.size()) throw broken("index " + index + " is outside the List of " + l.size());
        return l.get((int) index);
      };
      case "untag" -> v -> {
        if (!(v instanceof Tagged t)) throw broken("op:untag needs a Tagged, got " + kind(v));
        if (!t.tag().equals(operand)) throw broken("expected tag \"" + operand + "\", got \"" + t.tag() + "\"");
        return t.value();
      };
      default -> throw new IllegalArgumentException(op);
    };
  }

  private static BrokenException broken(String message) {
    return new BrokenException(new OcapnError(message));
  }

  private Promise derive(String op, Object operand) {
    Function<Object, Object> pick = picker(op, operand);
    LocalPromise derived = new LocalPromise(peer);
    peer.vat.execute(() -> {
      LocalPromise end = shortened();
      if (end.isPending() && end.remoteSession != null && end.remoteSession.isAlive()) {
        end.remoteSession.sendPick(end.remoteDesc, op, operand, derived);
      } else {
        pickWhenSettled(end, pick, derived);
      }
    });
    return derived;
  }

  /** Settles {@code derived} with {@code pick} applied to {@code source}'s eventual value. */
  static void pickWhenSettled(LocalPromise source, Function<Object, Object> pick, LocalPromise derived) {
    source.onSettled((v, broken) -> {
      if (broken != null) {
        derived.breakWith(broken);
        return;
      }
      try {
        derived.resolve(pick.apply(v));
      } catch (BrokenException e) {
        derived.breakWith(e.reason());
      }
    });
  }

  static String kind(Object v) {
    try {
      return Values.typeOf(v).name().toLowerCase();
    } catch (IllegalArgumentException e) {
      return v.getClass().getSimpleName();
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Object> castArgs(Object o) {
    return (List<Object>) o;
  }

  @Override
  public String toString() {
    return "Promise[" + state + "]";
  }
}
