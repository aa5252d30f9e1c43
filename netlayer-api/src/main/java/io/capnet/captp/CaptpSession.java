package io.capnet.captp;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeException;
import io.capnet.codec.EncodeContext;
import io.capnet.codec.EncodeException;
import io.capnet.locator.LocatorException;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Link;
import io.capnet.netlayer.ThreadedLink;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import io.capnet.value.OcapnError;
import io.capnet.value.Record;
import io.capnet.value.Reference;
import io.capnet.value.Symbol;
import io.capnet.value.Tagged;
import io.capnet.value.Values;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One CapTP session over one connection: the four tables, the operations, and the session's
 * end. Everything here runs in the peer's vat, which also does the connection's I/O through
 * its {@link Link} (see spec/concurrency.md).
 *
 * <pre>
 *  vat: readable -> link cuts a frame -> received(message) -> handle(op) -> turn
 *       ... sendX() -> encode -> link.send (queued) -> written before the vat next waits
 * </pre>
 */
final class CaptpSession implements SessionInfo, Link.Receiver, OpReader.Handler {
  static final System.Logger LOG = System.getLogger("io.capnet.captp.Session");
  static final String VERSION = "1.0";
  private static final SecureRandom RANDOM = new SecureRandom();

  private enum State { STARTING, ACTIVE, DEAD }

  final PeerImpl peer;
  final Connection connection;
  final boolean outgoing;
  /** For an outgoing session: who we dialled. */
  final PeerLocator expected;
  final PeerLocator ourLocation;
  private final Codec codec;
  private final boolean passesDescriptors;
  private final SessionLimits limits;

  final KeyPair ourKeys = SessionKeys.generate();
  final Bytes ourKey = SessionKeys.raw(ourKeys.getPublic());
  final Bytes ourPublicId = SessionKeys.publicId(ourKey);
  Bytes remoteKey;
  Bytes remotePublicId;
  Bytes sessionId;
  PeerLocator remoteLocation;
  Record remoteLocationRecord;

  private State state = State.STARTING;
  /** DRAFT or LEGACY once known; ADAPTIVE until the peer shows which it speaks. */
  private Dialect dialect;
  private final Map<Long, Long> heldGcExports = new LinkedHashMap<>();
  private final List<Long> heldGcAnswers = new ArrayList<>();
  private LocalObject answerSink;
  private OcapnError deathReason;

  // The four tables; vat-confined.
  private final ExportTable exports;
  private final ImportTable imports = new ImportTable();
  private final AnswerTable answers;
  private final QuestionTable questions = new QuestionTable();
  private long nextHandoffCount;
  private final Set<Long> usedHandoffCounts = new HashSet<>();
  private final Map<Bytes, Object> deposited = new HashMap<>(); // gift id -> gift
  private final List<RemoteTarget> breakageListeners = new ArrayList<>();

  /** Peer.fetchOver: what to do once the session is up, or if it dies first. Vat-confined. */
  java.util.function.Consumer<CaptpSession> onActive;
  java.util.function.Consumer<Object> onFailure;

  private Link link;

  CaptpSession(PeerImpl peer, Connection connection, PeerLocator ourLocation, boolean outgoing,
      PeerLocator expected) {
    this.peer = peer;
    this.connection = connection;
    this.outgoing = outgoing;
    this.expected = expected;
    this.ourLocation = ourLocation;
    this.codec = connection.codec();
    this.passesDescriptors = connection.supports(NetlayerCapability.DESCRIPTORS);
    this.limits = peer.limits;
    this.dialect = peer.dialect;
    this.exports = new ExportTable(new LocalObject(peer, this::bootstrap));
    this.answers = new AnswerTable(peer, limits.maxOutstandingQuestions(), limits.maxAnswers());
  }

  /** In the vat: move the connection onto the vat's loop, then say hello. */
  void start() {
    try {
      link = connection.attach(peer.vat, this);
    } catch (IOException | RuntimeException e) {
      state = State.DEAD;
      deathReason = new OcapnError("cannot start a session on " + connection.description() + ": " + e.getMessage());
      closeQuietly();
      peer.sessionEnded(this, false);
      return;
    }
    Record location = ourLocation.toRecord();
    byte[] signed = Codec.syrup().encode(Record.of("my-location", location));
    write(Record.of("op:start-session", VERSION, SessionKeys.publicKeyValue(ourKey), location,
        SessionKeys.sign(ourKeys.getPrivate(), signed)));
    peer.vat.schedule(limits.startTimeout().toMillis(), () -> {
      if (state == State.STARTING) die("no op:start-session within " + limits.startTimeout().toMillis() + " ms", true);
    });
  }

  @Override
  public PeerLocator remote() {
    return remoteLocation;
  }

  @Override
  public Bytes sessionId() {
    return sessionId;
  }

  @Override
  public Connection connection() {
    return connection;
  }

  /** Whether this session ended because a crossing session between the same peers won. */
  boolean lostCrossedHellos() {
    return deathReason != null && deathReason.message().contains("crossed hellos");
  }

  boolean isAlive() {
    return state != State.DEAD;
  }

  boolean isActive() {
    return state == State.ACTIVE;
  }

  /** The reason this session died, or null while it lives. */
  OcapnError deathReason() {
    return deathReason;
  }

  // ---------------------------------------------------------------- reading

  @Override
  public void received(Object message) {
    try {
      PeerImpl.asCaller(this, () -> handle(message));
    } catch (OutOfMemoryError e) {
      // Only the session whose message ran us out ends; its promises break with it.
      Descriptor.closeAllIn(message);
      die("out of memory while handling a message from the peer", true);
    } catch (RuntimeException e) {
      Descriptor.closeAllIn(message);
      LOG.log(Level.WARNING, "handling a message failed in session " + connection.description(), e);
      die("internal error while handling a message from the peer: " + e, true);
    }
  }

  @Override
  public void ended(IOException cause) {
    if (cause == null) {
      die("the connection was closed by the peer", false);
    } else if (cause instanceof DecodeException e) {
      die("malformed or oversized frame: " + e.getMessage(), true);
    } else {
      die(cause.getMessage(), false); // the link says what failed: "connection lost: ...", "could not write ..."
    }
  }

  /** In the vat: one incoming message. */
  void handle(Object message) {
    if (state == State.DEAD) {
      Descriptor.closeAllIn(message);
      return;
    }
    try {
      boolean started = state != State.STARTING;
      if (started && message instanceof Record r && r.label() instanceof Symbol op) learnDialect(op.name(), r);
      OpReader.read(message, started, this);
    } catch (ProtocolException e) {
      Descriptor.closeAllIn(message); // refused before any handler could take them
      die(e.getMessage(), true);
    }
  }

  /** ADAPTIVE: the first message only one dialect has tells which this peer speaks. */
  private void learnDialect(String op, Record r) {
    if (dialect != Dialect.ADAPTIVE) return;
    Dialect learned = switch (op) {
      case "op:deliver-only", "op:gc-export", "op:gc-answer" -> Dialect.LEGACY;
      case "op:gc-exports", "op:gc-answers" -> Dialect.DRAFT;
      case "op:deliver" -> r.size() == 4 && Boolean.FALSE.equals(r.field(2)) && Boolean.FALSE.equals(r.field(3))
          ? Dialect.DRAFT : null;
      default -> null;
    };
    if (learned == null) return;
    dialect = learned;
    if (!heldGcExports.isEmpty()) {
      writeGcExports(new ArrayList<>(heldGcExports.keySet()), new ArrayList<>(heldGcExports.values()));
      heldGcExports.clear();
    }
    if (!heldGcAnswers.isEmpty()) {
      writeGcAnswers(List.copyOf(heldGcAnswers));
      heldGcAnswers.clear();
    }
  }

  private void sendGcExport(long position, long delta) {
    if (dialect == Dialect.ADAPTIVE) heldGcExports.merge(position, delta, Long::sum);
    else writeGcExports(List.of(position), List.of(delta));
  }

  private void sendGcAnswer(long position) {
    if (dialect == Dialect.ADAPTIVE) heldGcAnswers.add(position);
    else writeGcAnswers(List.of(position));
  }

  private void writeGcExports(List<Long> positions, List<Long> deltas) {
    write(Record.of(dialect == Dialect.LEGACY ? "op:gc-export" : "op:gc-exports", positions, deltas));
  }

  private void writeGcAnswers(List<Long> positions) {
    write(Record.of(dialect == Dialect.LEGACY ? "op:gc-answer" : "op:gc-answers", positions));
  }

  /** A send that wants no answer, in the session's dialect. */
  private void writeNoAnswer(Record toDesc, Object wireArgs) {
    switch (dialect) {
      case LEGACY -> write(Record.of("op:deliver-only", toDesc, wireArgs));
      case DRAFT -> write(Record.of("op:deliver", toDesc, wireArgs, false, false));
      case ADAPTIVE -> {
        // Both dialects read an op:deliver with a resolver; its answer is dropped.
        if (answerSink == null) answerSink = new LocalObject(peer, args -> Null.NULL);
        write(Record.of("op:deliver", toDesc, wireArgs, false, exportDesc(answerSink)));
      }
    }
  }

  @Override
  public void startSession(Object keyValue, Object locationValue, Object signature) throws ProtocolException {
    Bytes key = SessionKeys.parsePublicKey(keyValue);
    PeerLocator location;
    try {
      location = PeerLocator.fromRecord(locationValue);
    } catch (LocatorException e) {
      throw new ProtocolException("malformed location in op:start-session: " + e.getMessage());
    }
    byte[] signed = Codec.syrup().encode(Record.of("my-location", locationValue));
    if (!SessionKeys.verify(key, signed, signature)) {
      throw new ProtocolException("bad signature: the op:start-session location signature does not verify"
          + " with the session key");
    }
    var proven = connection.authenticatedDesignator();
    if (proven.isPresent() && !proven.get().equals(location.designator())) {
      throw new ProtocolException("the location names designator " + location.designator()
          + " but the connection authenticated " + proven.get());
    }
    if (outgoing && expected != null && !(expected.designator().equals(location.designator())
        && expected.transport().equals(location.transport()))) {
      throw new ProtocolException("dialled " + expected.toUri() + " but the peer says it is " + location.toUri());
    }
    remoteKey = key;
    remotePublicId = SessionKeys.publicId(key);
    remoteLocation = location;
    remoteLocationRecord = (Record) locationValue;
    sessionId = SessionKeys.sessionId(ourPublicId, remotePublicId);
    if (peer.sessionStarting(this)) {
      state = State.ACTIVE;
      if (link != null) link.sessionStarted(); // full-size frames from here on
      peer.sessionActive(this);
    }
  }

  @Override
  public void deliver(Record targetDesc, List<?> wireArgs, long answerPosition, Record resolverDesc)
      throws ProtocolException {
    RefImpl target = (RefImpl) unmarshal(targetDesc);
    List<Object> args = unmarshalArgs(wireArgs);
    RefImpl resolveMe = resolverDesc == null ? null : (RefImpl) unmarshal(resolverDesc);
    if (target instanceof LocalPromise p && p.shortened().queuesLocally()) {
      try {
        holdUntilSettled(p.shortened(), Held.DELIVERY);
      } catch (ProtocolException e) {
        Descriptor.closeAllIn(args);
        throw e;
      }
    }
    if (answerPosition < 0 && resolveMe == null) {
      target.deliver(args, null);
      return;
    }
    LocalPromise answer = newAnswer(answerPosition);
    if (resolveMe != null) {
      RefImpl resolver = resolveMe;
      answer.onSettled((value, broken) -> {
        if (state == State.DEAD) { // the asker is gone: what it would have been sent goes nowhere
          if (value != null) Descriptor.closeAllIn(value);
          return;
        }
        resolver.deliver(broken == null ? List.of(new Symbol("fulfill"), value)
            : List.of(new Symbol("break"), broken), null);
      });
    }
    target.deliver(args, answer);
  }

  /** A promise for a question the peer asked, at {@code position} (or none when -1). */
  private LocalPromise newAnswer(long position) throws ProtocolException {
    return answers.answer(position);
  }

  @Override
  public void listen(Record targetDesc, Record listenerDesc) throws ProtocolException {
    RefImpl subject = (RefImpl) unmarshal(targetDesc);
    RefImpl listener = (RefImpl) unmarshal(listenerDesc);
    if (subject instanceof LocalPromise p) {
      if (!p.isSettled() && p.shortened().remoteSession == null) holdUntilSettled(p.shortened(), Held.LISTENER);
      p.onSettled((value, broken) -> notify(listener, value, broken));
    } else if (subject instanceof LocalObject o && (o.isRevoked() || o.revocable())) {
      if (!o.isRevoked()) {
        hold(Held.LISTENER);
        o.onBroken(reason -> held[Held.LISTENER.ordinal()]--);
      }
      o.onBroken(reason -> notify(listener, null, reason));
    } else {
      notify(listener, subject, null);
    }
  }

  /** What the peer can leave waiting on our promises and caretakers, each with its limit. */
  private enum Held { DELIVERY, LISTENER }

  private final int[] held = new int[Held.values().length];

  private void hold(Held what) throws ProtocolException {
    int max = what == Held.DELIVERY ? limits.maxQueuedDeliveries() : limits.maxListeners();
    if (held[what.ordinal()] >= max) {
      throw new ProtocolException(what == Held.DELIVERY
          ? "more than " + max + " messages queued on promises that have not settled (maxQueuedDeliveries)"
          : "more than " + max + " op:listen waiting on promises or caretakers (maxListeners)");
    }
    held[what.ordinal()]++;
  }

  private void holdUntilSettled(LocalPromise p, Held what) throws ProtocolException {
    hold(what);
    p.onSettled((v, b) -> held[what.ordinal()]--);
  }

  private void notify(RefImpl listener, Object value, Object broken) {
    if (state == State.DEAD) return;
    listener.deliver(broken == null ? List.of(new Symbol("fulfill"), value)
        : List.of(new Symbol("break"), broken), null);
  }

  @Override
  public void pick(String op, Record subjectDesc, Object operand, long answerPosition) throws ProtocolException {
    RefImpl subject = (RefImpl) unmarshal(subjectDesc);
    LocalPromise answer = newAnswer(answerPosition);
    java.util.function.Function<Object, Object> f = LocalPromise.picker(op.substring(3), operand);
    if (subject instanceof LocalPromise p) {
      LocalPromise.pickWhenSettled(p, f, answer);
    } else {
      try {
        answer.resolve(f.apply(subject));
      } catch (BrokenException e) {
        answer.breakWith(e.reason());
      }
    }
  }

  @Override
  public void abort(Object reason) {
    die("the peer aborted the session: " + (reason instanceof String s ? s : Values.describe(reason, 200)), false);
  }

  private static BrokenException broken(String message) {
    return new BrokenException(new OcapnError(message));
  }

  @Override
  public void gcExports(long[] positions, long[] deltas) throws ProtocolException {
    for (int i = 0; i < positions.length; i++) exports.release(positions[i], deltas[i]);
  }

  @Override
  public void gcAnswers(long[] positions) throws ProtocolException {
    for (long p : positions) answers.forget(p);
  }

  // ---------------------------------------------------------------- the bootstrap object

  /** The bootstrap object keeps no descriptor it is sent: each is closed once it has answered. */
  private Object bootstrap(List<Object> args) {
    try {
      return bootstrapMethod(args);
    } finally {
      Descriptor.closeAllIn(args);
    }
  }

  private Object bootstrapMethod(List<Object> args) {
    if (args.isEmpty() || !(args.get(0) instanceof Symbol method)) {
      throw broken("the bootstrap object takes 'fetch, 'deposit-gift or 'withdraw-gift");
    }
    switch (method.name()) {
      case "fetch" -> {
        if (args.size() != 2 || !(args.get(1) instanceof Bytes swiss)) {
          throw broken("fetch takes one swiss number (a ByteArray)");
        }
        RefImpl found = peer.fetchLocal(swiss);
        if (found == null) throw broken("no object is exported under that swiss number");
        return found;
      }
      case "deposit-gift" -> {
        if (args.size() != 3 || !(args.get(1) instanceof Bytes giftId) || !(args.get(2) instanceof Reference)) {
          throw broken("deposit-gift takes a gift id (a ByteArray) and a reference");
        }
        if (deposited.size() >= limits.maxOutstandingQuestions()) {
          throw broken("too many gifts deposited and not withdrawn");
        }
        peer.handoffs.deposit(this, giftId, args.get(2));
        return Null.NULL;
      }
      case "withdraw-gift" -> {
        if (args.size() != 2) throw broken("withdraw-gift takes one signed desc:handoff-receive");
        LocalPromise gift = new LocalPromise(peer);
        peer.handoffs.withdraw(this, args.get(1), gift);
        return gift;
      }
      default -> throw broken("the bootstrap object has no method " + method.name());
    }
  }

  Map<Bytes, Object> depositedGifts() {
    return deposited;
  }

  /** Checks and spends a handoff count from a desc:handoff-receive arriving here. */
  boolean spendHandoffCount(long count) {
    if (usedHandoffCounts.size() >= limits.maxOutstandingQuestions() * 4L) return false;
    return usedHandoffCounts.add(count);
  }

  // ---------------------------------------------------------------- sending

  /** Sends a message to {@code toDesc}, asking for an answer when {@code answer} is not null. */
  void sendDeliver(Record toDesc, List<Object> args, LocalPromise answer) {
    if (state == State.DEAD) {
      Descriptor.closeAllIn(args);
      if (answer != null) answer.breakWith(deathReason);
      return;
    }
    List<Runnable> after = new ArrayList<>(0);
    Object wireArgs;
    try {
      wireArgs = marshal(args, after, 0);
    } catch (IllegalArgumentException e) {
      Descriptor.closeAllIn(args);
      if (answer != null) answer.breakWith(new OcapnError("cannot send: " + e.getMessage()));
      return;
    }
    if (answer == null) {
      writeNoAnswer(toDesc, wireArgs);
    } else {
      LocalObject resolver = new LocalObject(peer, new ResolverHandler(answer));
      long q = questions.ask(this, answer);
      answer.hasResolver = true;
      write(Record.of("op:deliver", toDesc, wireArgs, q, exportDesc(resolver)));
    }
    for (Runnable r : after) r.run();
    if (answer != null) answer.sendQueued(); // sent to it while it waited for a session: now pipelined
  }

  /** Pipelines op:get, op:index or op:untag to a promise in this session. */
  void sendPick(Record subject, String op, Object operand, LocalPromise derived) {
    long q = questions.ask(this, derived);
    write(Record.of("op:" + op, subject, operand, q));
    derived.sendQueued();
    derived.wantSettlement();
  }

  /** Asks the peer to tell us when {@code promise} (imported or picked) settles. */
  void sendListen(LocalPromise promise) {
    LocalObject resolver = new LocalObject(peer, new ResolverHandler(promise));
    write(Record.of("op:listen", promise.remoteDesc, exportDesc(resolver), false));
  }

  /** Asks the exporter to tell us if {@code target} breaks (a revoked caretaker). */
  void sendListenForBreakage(RemoteTarget target) {
    LocalObject listener = new LocalObject(peer, args -> {
      if (args.size() == 2 && new Symbol("break").equals(args.get(0))) target.broke(args.get(1));
      return Null.NULL;
    });
    write(Record.of("op:listen", target.desc, exportDesc(listener), false));
  }

  /** Our question at {@code position} settled: the peer may forget its answer. */
  void questionSettled(long position) {
    if (questions.settled(position) && state == State.ACTIVE) sendGcAnswer(position);
  }

  private void write(Record message) {
    if (state == State.DEAD) return;
    if (exports.size() - 1 > limits.maxExports()) { // the bootstrap object is not counted
      die("more than " + limits.maxExports() + " objects exported to the peer and not released (maxExports)", true);
      return;
    }
    // Most connections cannot carry fds: they share EncodeContext.NONE instead of a per-message one.
    List<Descriptor> fds = passesDescriptors ? new ArrayList<>(1) : List.of();
    byte[] bytes;
    try {
      bytes = codec.encode(message, passesDescriptors ? EncodeContext.attachingTo(fds) : EncodeContext.NONE);
    } catch (EncodeException e) {
      closeAll(fds);
      die("could not encode an outgoing message: " + e.getMessage(), true);
      return;
    }
    link.send(bytes, fds);
    long queued = link.queuedBytes();
    if (queued > limits.maxOutboundBytes()) {
      die("more than " + limits.maxOutboundBytes() + " bytes queued for the peer: it is not reading", false);
      link.close();
    } else if (queued > OUTBOUND_PRESSURE_BYTES
        && (queued >= nextBudgetCheckAt || queued < nextBudgetCheckAt - 2 * BUDGET_CHECK_STEP)) {
      // Only a session that holds this much can be the one to cut; it looks again once it holds
      // another step more (or has drained), not at every message.
      nextBudgetCheckAt = queued + BUDGET_CHECK_STEP;
      peer.checkOutboundBudget();
    }
  }

  private static final long OUTBOUND_PRESSURE_BYTES = 1 << 20;
  /** The most a session's queue grows unseen by the peer-wide budget (spec/limits.md). */
  private static final long BUDGET_CHECK_STEP = 64 * 1024;
  private long nextBudgetCheckAt;

  /** Cut off by the peer-wide budget: this session held the most queued bytes. */
  void cutForOutboundBudget(long total) {
    die("this peer's sessions held over " + limits.maxOutboundBytesInAll() + " bytes queued for peers that are"
        + " not reading (maxOutboundBytesInAll), " + total + " in all, and this one held the most: "
        + link.queuedBytes(), false);
    link.close();
  }

  /** Descriptors sent in a message move with it: ours are closed once sent, or if never sent. */
  static void closeAll(List<Descriptor> fds) {
    for (Descriptor d : fds) {
      try {
        d.close();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "closing a sent descriptor", e);
      }
    }
  }


  // ---------------------------------------------------------------- marshalling

  /** Replaces references with this session's descriptors; copies only what changes. */
  private Object marshal(Object v, List<Runnable> after, int depth) {
    if (depth > codec.limits().maxDepth()) throw new EncodeException("the value nests deeper than " + depth);
    if (v instanceof RefImpl r) return marshalRef(r, after);
    if (v instanceof List<?> l) {
      List<Object> out = null;
      for (int i = 0, n = l.size(); i < n; i++) {
        Object x = l.get(i);
        Object m = marshal(x, after, depth + 1);
        if (m != x && out == null) {
          out = new ArrayList<>(n);
          for (int j = 0; j < i; j++) out.add(l.get(j));
        }
        if (out != null) out.add(m);
      }
      return out == null ? l : out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = null;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Object x = e.getValue();
        Object y = marshal(x, after, depth + 1);
        if (y != x && out == null) out = new LinkedHashMap<>(m);
        if (out != null) out.put(e.getKey(), y);
      }
      return out == null ? m : out;
    }
    if (v instanceof Tagged t) {
      Object inner = marshal(t.value(), after, depth + 1);
      return inner == t.value() ? t : new Tagged(t.tag(), inner);
    }
    if (v instanceof Reference) throw new EncodeException("a reference from another library cannot be sent");
    Values.typeOf(v); // IllegalArgumentException naming anything that is not a value
    return v;
  }

  private Record marshalRef(RefImpl r, List<Runnable> after) {
    if (r.peer != peer) throw new EncodeException("a reference belongs to another Peer");
    if (r instanceof LocalObject o) return exportDesc(o);
    if (r instanceof RemoteTarget t) {
      if (t.session == this) return t.desc;
      if (t.session.isActive() && isActive()) return handoff(t, after);
      LocalPromise broken = new LocalPromise(peer);
      broken.breakWith(t.session.deathReason() != null ? t.session.deathReason()
          : new OcapnError("the reference's session is not active"));
      return exportDesc(broken);
    }
    LocalPromise end = ((LocalPromise) r).shortened();
    Object v = end.fulfilledValue();
    if (v instanceof RefImpl ref) return marshalRef(ref, after);
    if (end.isPending() && end.remoteSession == this) return end.remoteDesc;
    return exportDesc(end);
  }

  /** Exports a local object or promise, counting each time it is sent. */
  private Record exportDesc(RefImpl r) {
    return Record.of(r instanceof LocalPromise ? "desc:import-promise" : "desc:import-object", exports.send(r));
  }

  /**
   * A third-party handoff: deposits the gift with its exporter and sends the receiver a signed
   * certificate to redeem it with.
   */
  private Record handoff(RemoteTarget gift, List<Runnable> after) {
    CaptpSession exporter = gift.session;
    Bytes giftId = randomBytes(32);
    Record give = Record.of("desc:handoff-give", SessionKeys.publicKeyValue(remoteKey),
        exporter.remoteLocationRecord, exporter.sessionId, exporter.ourPublicId, giftId);
    List<Object> sig = SessionKeys.sign(exporter.ourKeys.getPrivate(), Codec.syrup().encode(give));
    after.add(() -> exporter.sendDeliver(Record.of("desc:export", 0L),
        List.of(new Symbol("deposit-gift"), giftId, gift), null));
    return Record.of("desc:sig-envelope", give, sig);
  }

  static Bytes randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return Bytes.adopt(b);
  }

  /** Replaces this session's descriptors with references. */
  private Object unmarshal(Object v) throws ProtocolException {
    if (v instanceof Record r) {
      if (!(r.label() instanceof Symbol label)) return r;
      String name = label.name();
      switch (name) {
        case "desc:import-object" -> {
          return importRef(descPosition(r), false);
        }
        case "desc:import-promise" -> {
          return importRef(descPosition(r), true);
        }
        case "desc:export" -> {
          return exported(descPosition(r));
        }
        case "desc:answer" -> {
          return answer(descPosition(r));
        }
        case "desc:sig-envelope" -> {
          arity(r, 2);
          if (r.field(0) instanceof Record signed && signed.hasLabel("desc:handoff-give")) {
            return receiveHandoff(r);
          }
          if (r.field(0) instanceof Record signed && signed.hasLabel("desc:handoff-receive")) {
            return r; // checked by the bootstrap object's withdraw-gift
          }
          throw new ProtocolException("malformed descriptor: a desc:sig-envelope must hold a"
              + " desc:handoff-give or desc:handoff-receive");
        }
        default -> {
          if (name.startsWith("desc:") || name.startsWith("op:")) {
            throw new ProtocolException("malformed descriptor: unknown descriptor " + name);
          }
          return r;
        }
      }
    }
    if (v instanceof List<?> l) {
      List<Object> out = null;
      for (int i = 0, n = l.size(); i < n; i++) {
        Object x = l.get(i);
        Object m = unmarshal(x);
        if (m != x && out == null) {
          out = new ArrayList<>(n);
          for (int j = 0; j < i; j++) out.add(l.get(j));
        }
        if (out != null) out.add(m);
      }
      return out == null ? l : out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = null;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Object x = e.getValue();
        Object y = unmarshal(x);
        if (y != x && out == null) out = new LinkedHashMap<>(m);
        if (out != null) out.put(e.getKey(), y);
      }
      return out == null ? m : out;
    }
    if (v instanceof Tagged t) {
      Object inner = unmarshal(t.value());
      return inner == t.value() ? t : new Tagged(t.tag(), inner);
    }
    return v;
  }

  private List<Object> unmarshalArgs(List<?> wire) throws ProtocolException {
    @SuppressWarnings("unchecked")
    List<Object> out = (List<Object>) unmarshal(wire);
    return out;
  }

  private RefImpl exported(long position) throws ProtocolException {
    return exports.get(position);
  }

  private LocalPromise answer(long position) throws ProtocolException {
    return answers.get(position);
  }

  private RefImpl importRef(long position, boolean promise) throws ProtocolException {
    return imports.receive(position, promise, entry -> {
      RefImpl proxy;
      if (promise) {
        LocalPromise p = new LocalPromise(peer);
        p.remoteSession = this;
        p.remoteDesc = Record.of("desc:export", position);
        proxy = p;
      } else {
        proxy = new RemoteTarget(peer, this, position);
      }
      peer.cleaner.register(proxy, () -> peer.vat.post(() -> importDropped(entry)));
      return proxy;
    });
  }

  /** The last local reference to an import is gone: tell the exporter how many we received. */
  private void importDropped(ImportTable.Entry e) {
    long delta = imports.dropped(e);
    if (delta > 0 && state == State.ACTIVE) sendGcExport(e.position, delta);
  }

  /** The receiver's side of a handoff: redeem the certificate with the exporter. */
  private LocalPromise receiveHandoff(Record envelope) throws ProtocolException {
    Record give = (Record) envelope.field(0);
    arity(give, 5);
    Bytes receiverKey = SessionKeys.parsePublicKey(give.field(0));
    LocalPromise gift = new LocalPromise(peer);
    if (!receiverKey.equals(ourKey)) {
      gift.breakWith(new OcapnError("handoff refused: the desc:handoff-give names another receiver key"));
      return gift;
    }
    PeerLocator exporterLocation;
    try {
      exporterLocation = PeerLocator.fromRecord(give.field(1));
    } catch (LocatorException e) {
      throw new ProtocolException("malformed descriptor: desc:handoff-give exporter-location: " + e.getMessage());
    }
    if (!(give.field(2) instanceof Bytes giftSession) || !(give.field(4) instanceof Bytes)) {
      throw new ProtocolException("malformed descriptor: desc:handoff-give session and gift-id must be ByteArrays");
    }
    KeyPair signingKeys = ourKeys;
    if (peer.isSelf(exporterLocation)) {
      // We are the exporter too: the gifter deposited with us over the session the give names,
      // and the give must pass the exporter's checks as a withdraw-gift's would.
      peer.handoffs.withdrawOwn(envelope, gift);
      return gift;
    }
    peer.connect(exporterLocation).whenComplete((exporter, failure) -> {
      if (failure != null) {
        gift.breakWith(new OcapnError("handoff failed: cannot reach the exporter "
            + exporterLocation.toUri() + ": " + PeerImpl.rootMessage(failure)));
        return;
      }
      exporter.redeem(envelope, signingKeys, gift);
    });
    return gift;
  }

  /** Sends withdraw-gift with a fresh handoff count, signed with the gifter-receiver key. */
  void redeem(Record signedGive, KeyPair receiverKeys, LocalPromise gift) {
    Record receive = Record.of("desc:handoff-receive", sessionId, ourPublicId, nextHandoffCount++, signedGive);
    List<Object> sig = SessionKeys.sign(receiverKeys.getPrivate(), Codec.syrup().encode(receive));
    sendDeliver(Record.of("desc:export", 0L),
        List.of(new Symbol("withdraw-gift"), Record.of("desc:sig-envelope", receive, sig)), gift);
  }

  // ---------------------------------------------------------------- ending

  /** Ends the session, breaking everything that came through it. Idempotent. */
  void die(String reason, boolean sendAbort) {
    if (state == State.DEAD) return;
    boolean wasActive = state == State.ACTIVE;
    state = State.DEAD;
    deathReason = new OcapnError(reason);
    LOG.log(Level.INFO, "session " + connection.description()
        + (remoteLocation != null ? " with " + remoteLocation.toUri() : "") + " ended: " + reason);
    if (link != null) {
      if (sendAbort) {
        try {
          link.send(codec.encode(Record.of("op:abort", reason)), List.of());
        } catch (EncodeException e) {
          LOG.log(Level.DEBUG, "could not encode op:abort", e);
        }
      }
      link.closeAfterFlush(limits.abortLinger().toMillis());
    } else {
      closeQuietly();
    }
    peer.sessionEnded(this, wasActive);
    questions.breakAll(deathReason);
    imports.breakAll(deathReason);
    exports.clear();
    answers.clear();
    deposited.clear();
  }

  boolean isLinkOpen() {
    return link != null && link.isOpen();
  }

  long queuedBytes() {
    return link == null ? 0 : link.queuedBytes();
  }

  /** In the vat, after {@link #die}: stops lingering. */
  void closeNow() {
    if (link != null) link.close();
    else closeQuietly();
  }

  /** After {@link #closeNow}: waits for a blocking connection's own threads, if it has any. */
  void awaitThreads(java.time.Duration patience) {
    if (link instanceof ThreadedLink t) {
      try {
        t.join(patience);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  void closeQuietly() {
    try {
      connection.close();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "closing " + connection.description(), e);
    }
  }

  // ---------------------------------------------------------------- small parsers

  private static void arity(Record r, int n) throws ProtocolException {
    OpReader.arity(r, n);
  }

  private static long descPosition(Record r) throws ProtocolException {
    arity(r, 1);
    Object p = r.field(0);
    if (p instanceof Long n && n >= 0) return n;
    String label = ((Symbol) r.label()).name();
    throw new ProtocolException("malformed descriptor: <" + label + " " + Values.describe(p, 40)
        + ">: the position must be a non-negative integer");
  }

  @Override
  public String toString() {
    return "session " + connection.description();
  }
}
