package io.capnet.captp;

import io.capnet.locator.PeerLocator;
import io.capnet.locator.Sturdyref;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Netlayer;
import io.capnet.value.Bytes;
import io.capnet.value.OcapnError;
import io.capnet.value.Symbol;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

final class PeerImpl implements Peer {
  static final System.Logger LOG = System.getLogger("io.capnet.captp.Peer");
  /** One cleaner thread for the process: imports are few and their clean-up only posts to a vat. */
  static final Cleaner CLEANER = Cleaner.create();

  final Vat vat;
  final SessionLimits limits;
  final Dialect dialect;
  private final boolean ownsVat;
  final Cleaner cleaner = CLEANER;
  private final String name;
  private final List<Netlayer> netlayers;
  private final Map<Bytes, RefImpl> swiss = new ConcurrentHashMap<>();
  private volatile boolean closed;

  // Vat-confined.
  private final Map<PeerKey, CaptpSession> active = new HashMap<>();
  private final Map<PeerKey, CaptpSession> dialling = new HashMap<>();
  private final Map<PeerKey, CompletableFuture<CaptpSession>> connecting = new HashMap<>();
  /** Peers whose crossing session beat ours: connect waits for theirs instead of dialling. */
  private final Set<PeerKey> awaitingWinner = new HashSet<>();
  private final Map<Bytes, CaptpSession> bySessionId = new HashMap<>();
  private final Set<CaptpSession> all = new LinkedHashSet<>();
  /** Ended sessions whose links may still linger (writing op:abort): Peer.close cuts them too. */
  private final Set<CaptpSession> lingering = new LinkedHashSet<>();
  private int lingeringPrunedAt = 16;
  final Handoffs handoffs = new Handoffs(bySessionId::get);

  record PeerKey(String transport, String designator) {
    static PeerKey of(PeerLocator l) {
      return new PeerKey(l.transport(), l.designator());
    }
  }

  private static final ThreadLocal<SessionInfo> CALLER = new ThreadLocal<>();
  private final Function<Bytes, Ref> swissResolver;
  private final boolean independentIncoming;

  static Optional<SessionInfo> caller() {
    return Optional.ofNullable(CALLER.get());
  }

  /** Runs {@code task} in the vat with {@link Peer#caller()} naming {@code session}. */
  static void asCaller(SessionInfo session, Runnable task) {
    SessionInfo outer = CALLER.get();
    CALLER.set(session);
    try {
      task.run();
    } finally {
      // set(null), not remove(): the vat keeps its slot, and each frame costs no map insert.
      CALLER.set(outer);
    }
  }

  private PeerImpl(BuilderImpl b) {
    this.name = b.name;
    this.swissResolver = b.swissResolver;
    this.independentIncoming = b.independentIncoming;
    this.limits = b.limits;
    this.dialect = b.dialect;
    this.netlayers = List.copyOf(b.netlayers);
    if (b.loop != null) {
      if (!(b.loop instanceof Vat shared)) throw new IllegalArgumentException("not a loop from Peer.newEventLoop");
      this.vat = shared;
      this.ownsVat = false;
    } else {
      java.nio.channels.spi.SelectorProvider provider = null;
      for (Netlayer n : netlayers) {
        provider = n.selectorProvider();
        if (provider != null) break;
      }
      this.vat = new Vat("capnet-vat " + name, provider);
      this.ownsVat = true;
    }
    if (b.gcInterval != null) collectGarbageEvery(b.gcInterval.toMillis());
  }

  private void collectGarbageEvery(long ms) {
    vat.schedule(ms, () -> {
      if (closed) return;
      // Off the vat: a full collection is slow, and the cleaner's work comes back as tasks.
      Thread.ofVirtual().name("capnet-gc").start(System::gc);
      collectGarbageEvery(ms);
    });
  }

  private void startAccepting() {
    for (Netlayer n : netlayers) {
      try {
        n.accept(vat, connection -> incoming(connection, n));
      } catch (IOException e) {
        throw new IllegalStateException("netlayer " + n.transport() + " cannot accept: " + e.getMessage(), e);
      }
    }
  }

  private void incoming(Connection connection, Netlayer netlayer) {
    if (closed) {
      closeQuietly(connection);
      return;
    }
    CaptpSession s = new CaptpSession(this, connection, netlayer.locator(), false, null);
    all.add(s);
    s.start();
  }

  // ---------------------------------------------------------------- sessions (in the vat)

  /** A session to {@code remote}, reusing the active one; completes in the vat. */
  CompletableFuture<CaptpSession> connect(PeerLocator remote) {
    PeerKey key = PeerKey.of(remote);
    CaptpSession s = active.get(key);
    if (s != null) return CompletableFuture.completedFuture(s);
    CompletableFuture<CaptpSession> pending = connecting.get(key);
    if (pending != null) return pending;
    if (closed) return CompletableFuture.failedFuture(new IOException("the peer is closed"));
    if (awaitingWinner.contains(key)) {
      // Our dial lost crossed hellos by the peer's decision: its own session to us is the one
      // that won, and is on its way. Dialling again would only cross it once more.
      CompletableFuture<CaptpSession> waiting = new CompletableFuture<>();
      connecting.put(key, waiting);
      vat.schedule(limits.startTimeout().toMillis() / 10 + 100, () -> {
        if (connecting.get(key) == waiting && awaitingWinner.remove(key)) {
          connecting.remove(key);
          connect(remote).whenComplete((x, f) -> {
            if (f != null) waiting.completeExceptionally(f);
            else waiting.complete(x);
          });
        }
      });
      return waiting;
    }
    Netlayer netlayer = netlayer(remote.transport());
    if (netlayer == null) {
      return CompletableFuture.failedFuture(new IOException("no netlayer for transport "
          + remote.transport() + "; this peer has " + netlayers.stream().map(Netlayer::transport).toList()));
    }
    CompletableFuture<CaptpSession> future = new CompletableFuture<>();
    connecting.put(key, future);
    // Netlayers over non-blocking channels dial in the vat; others on a thread of their own.
    netlayer.connect(remote, vat, (c, failure) -> {
      if (failure != null) {
        fail(key, failure);
        return;
      }
      if (closed) {
        closeQuietly(c);
        fail(key, new IOException("the peer is closed"));
        return;
      }
      if (active.containsKey(key)) {
        // The peer dialled us first and that session is up: starting ours would only cross it.
        closeQuietly(c);
        return;
      }
      CaptpSession session = new CaptpSession(this, c, netlayer.locator(), true, remote);
      all.add(session);
      dialling.put(key, session);
      session.start();
    });
    return future;
  }

  private void fail(PeerKey key, Throwable e) {
    CompletableFuture<CaptpSession> f = connecting.remove(key);
    if (f != null) f.completeExceptionally(e);
  }

  /**
   * A session got the peer's op:start-session. Returns false if it must not go on (it has been
   * aborted): one session per remote peer, with crossed hellos settled by public id.
   */
  boolean sessionStarting(CaptpSession s) {
    PeerKey key = PeerKey.of(s.remoteLocation);
    if (isSelf(s.remoteLocation)) {
      s.die("the peer claims our own location " + s.remoteLocation.toUri(), true);
      return false;
    }
    if (!s.outgoing && independentIncoming) return true;
    CaptpSession existing = active.get(key);
    if (!s.outgoing) {
      CaptpSession ours = dialling.get(key);
      if (ours == null && existing != null && existing.outgoing) ours = existing;
      if (ours != null && ours != s) {
        // Crossed hellos: the session whose initiator key has the lower public id loses.
        if (ours.ourPublicId.compareTo(s.remotePublicId) < 0) {
          LOG.log(Level.DEBUG, "crossed hellos with " + key + ": keeping the incoming session");
          dialling.remove(key);
          if (active.get(key) == ours) active.remove(key);
          ours.die("crossed hellos: the other session between these peers won", true);
          existing = active.get(key);
        } else {
          s.die("crossed hellos: the other session between these peers won", true);
          return false;
        }
      }
    }
    if (!s.outgoing && existing != null && existing != s && !existing.outgoing) {
      // The peer started over (it restarted, or its old session is still closing): the newer
      // session wins, so a stale one can never lock the peer out.
      existing.die("superseded by a newer session from the same peer", true);
      existing = null;
    }
    if (existing != null && existing != s) {
      s.die("a session with " + s.remoteLocation.toUri() + " is already active", true);
      return false;
    }
    return true;
  }

  void sessionActive(CaptpSession s) {
    PeerKey key = PeerKey.of(s.remoteLocation);
    bySessionId.put(s.sessionId, s);
    if (s.onActive != null) {
      s.onActive.accept(s);
      s.onActive = null;
    }
    if (!s.outgoing && independentIncoming) return;
    active.put(key, s);
    awaitingWinner.remove(key);
    if (dialling.get(key) == s) dialling.remove(key);
    CompletableFuture<CaptpSession> f = connecting.remove(key);
    if (f != null) f.complete(s);
  }

  void sessionEnded(CaptpSession s, boolean wasActive) {
    all.remove(s);
    if (s.isLinkOpen()) {
      lingering.add(s);
      if (lingering.size() >= lingeringPrunedAt) { // each link closes itself when its linger ends
        lingering.removeIf(x -> !x.isLinkOpen());
        lingeringPrunedAt = Math.max(16, 2 * lingering.size());
      }
    }
    if (s.remoteLocation != null) {
      PeerKey key = PeerKey.of(s.remoteLocation);
      if (active.get(key) == s) active.remove(key);
    }
    if (s.sessionId != null) bySessionId.remove(s.sessionId, s);
    if (s.onActive != null) {
      s.onActive = null;
      if (s.onFailure != null) s.onFailure.accept(s.deathReason());
    }
    if (s.outgoing && s.expected != null) {
      PeerKey key = PeerKey.of(s.expected);
      if (s.lostCrossedHellos() && !active.containsKey(key)) awaitingWinner.add(key);
      if (dialling.remove(key, s)) fail(key, new IOException(s.deathReason().message()));
    }
    if (wasActive) handoffs.gifterEnded(s);
  }

  boolean isSelf(PeerLocator l) {
    for (Netlayer n : netlayers) {
      PeerLocator mine = n.locator();
      if (mine.transport().equals(l.transport()) && mine.designator().equals(l.designator())) return true;
    }
    return false;
  }

  private Netlayer netlayer(String transport) {
    for (Netlayer n : netlayers) if (n.transport().equals(transport)) return n;
    return null;
  }

  // ---------------------------------------------------------------- bootstrap services (in the vat)

  RefImpl lookup(Bytes swissNumber) {
    return swiss.get(swissNumber);
  }

  /** The bootstrap object's fetch: exported objects first, then the builder's resolver. */
  RefImpl fetchLocal(Bytes swissNumber) {
    RefImpl found = swiss.get(swissNumber);
    if (found != null || swissResolver == null) return found;
    Ref r = swissResolver.apply(swissNumber);
    return r == null ? null : own(r);
  }

  @Override
  public Promise fetchOver(Connection connection, Bytes swissNumber) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(swissNumber, "swissNumber");
    LocalPromise result = new LocalPromise(this);
    vat.execute(() -> {
      if (closed) {
        closeQuietly(connection);
        result.breakWith(new OcapnError("the peer is closed"));
        return;
      }
      CaptpSession session = new CaptpSession(this, connection, locator(), true, null);
      session.onActive = s -> new RemoteTarget(this, s, 0)
          .deliver(List.of(new Symbol("fetch"), swissNumber), result);
      session.onFailure = result::breakWith;
      all.add(session);
      session.start();
    });
    return result;
  }

  // ---------------------------------------------------------------- the public API

  @Override
  public Ref spawn(Handler handler) {
    return new LocalObject(this, Objects.requireNonNull(handler, "handler"));
  }

  @Override
  public void execute(Runnable task) {
    vat.execute(task);
  }

  @Override
  public Deferred deferred() {
    LocalPromise p = new LocalPromise(this);
    LocalObject resolver = new LocalObject(this, new ResolverHandler(p));
    return new Deferred() {
      @Override
      public Promise promise() {
        return p;
      }

      @Override
      public Ref resolver() {
        return resolver;
      }

      @Override
      public void fulfill(Object value) {
        vat.execute(() -> p.resolve(value));
      }

      @Override
      public void breakWith(Object reason) {
        vat.execute(() -> p.breakWith(reason));
      }
    };
  }

  @Override
  public Sturdyref export(Ref ref) {
    return export(ref, CaptpSession.randomBytes(32));
  }

  @Override
  public Sturdyref export(Ref ref, Bytes swissNumber) {
    RefImpl r = own(ref);
    swiss.put(swissNumber, r);
    return locator().sturdyref(swissNumber);
  }

  @Override
  public void unexport(Bytes swissNumber) {
    swiss.remove(swissNumber);
  }

  @Override
  public Promise enliven(Sturdyref sturdyref) {
    LocalPromise p = new LocalPromise(this);
    vat.execute(() -> {
      if (isSelf(sturdyref.peer())) {
        RefImpl r = lookup(sturdyref.swissNumber());
        if (r != null) p.resolve(r);
        else p.breakWith(new OcapnError("no object is exported under that swiss number"));
        return;
      }
      fetch(sturdyref, p, CROSSED_HELLOS_RETRIES);
    });
    return p;
  }

  /**
   * The sessions' queued bytes together against {@code maxOutboundBytesInAll}: past it, the
   * session holding the most is cut off first, then the next, until the rest fit.
   */
  void checkOutboundBudget() {
    long total = 0;
    for (CaptpSession s : all) total += s.queuedBytes();
    while (total > limits.maxOutboundBytesInAll()) {
      CaptpSession biggest = null;
      for (CaptpSession s : all) {
        if (s.isLinkOpen() && (biggest == null || s.queuedBytes() > biggest.queuedBytes())) biggest = s;
      }
      if (biggest == null || biggest.queuedBytes() == 0) return;
      long had = biggest.queuedBytes();
      biggest.cutForOutboundBudget(total);
      total -= had;
    }
  }

  /** How often a fetch is re-sent after its session lost crossed hellos. */
  private static final int CROSSED_HELLOS_RETRIES = 3;

  /**
   * Fetches over the session to the sturdyref's peer. A fetch sent on a session that then loses
   * crossed hellos is lost with it, so it is sent once more, on the session that won.
   */
  private void fetch(Sturdyref sturdyref, LocalPromise result, int retries) {
    connect(sturdyref.peer()).whenComplete((s, failure) -> {
      if (failure != null) {
        if (retries > 0 && rootMessage(failure).contains("crossed hellos")) {
          fetch(sturdyref, result, retries - 1);
          return;
        }
        result.breakWith(new OcapnError("cannot reach " + sturdyref.peer().toUri() + ": " + rootMessage(failure)));
        return;
      }
      LocalPromise attempt = new LocalPromise(this);
      new RemoteTarget(this, s, 0).deliver(List.of(new Symbol("fetch"), sturdyref.swissNumber()), attempt);
      result.pipelineThrough(attempt); // sends to the enlivened object go out right behind the fetch
      attempt.onSettled((value, broken) -> {
        if (broken == null) {
          result.resolve(value);
        } else if (retries > 0 && s.lostCrossedHellos()) {
          // What was pipelined went down with that session: it goes again behind the new fetch.
          result.stopPipelining();
          fetch(sturdyref, result, retries - 1);
        } else {
          result.breakWith(broken);
        }
      });
    });
  }

  @Override
  public Promise enliven(String sturdyrefUri) {
    return enliven(Sturdyref.parse(sturdyrefUri));
  }

  @Override
  public PeerLocator locator() {
    if (netlayers.isEmpty()) throw new IllegalStateException("this peer has no netlayer");
    return netlayers.get(0).locator();
  }

  @Override
  public List<PeerLocator> locators() {
    return netlayers.stream().map(Netlayer::locator).toList();
  }

  @Override
  public List<PeerLocator> sessions() {
    return inVat(() -> active.values().stream().map(s -> s.remoteLocation).toList());
  }

  @Override
  public void abortSession(PeerLocator remote, String reason) {
    vat.execute(() -> {
      CaptpSession s = active.get(PeerKey.of(remote));
      if (s != null) s.die(reason, true);
    });
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    // Sessions end first, so that each ends with this reason rather than with the write error
    // that closing a netlayer's connections under it would cause.
    List<CaptpSession> sessions = inVat(() -> {
      List<CaptpSession> copy = new ArrayList<>(all);
      for (CaptpSession s : copy) s.die("the peer is shutting down", true);
      copy.addAll(lingering); // already ended, still writing their op:abort: cut with the rest
      lingering.clear();
      for (CompletableFuture<CaptpSession> f : connecting.values()) {
        f.completeExceptionally(new IOException("the peer is closed"));
      }
      connecting.clear();
      return copy;
    });
    for (Netlayer n : netlayers) {
      try {
        n.close();
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.DEBUG, "closing netlayer " + n.transport(), e);
      }
    }
    // Each ended session writes its op:abort before it is cut off: wait for that, up to
    // abortLinger (a peer that does not read cannot hold the close up for longer).
    long deadline = System.nanoTime() + limits.abortLinger().toNanos();
    while (!vat.inVat() && System.nanoTime() < deadline && inVat(() -> anyUnflushed(sessions))) {
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    inVat(() -> {
      sessions.forEach(CaptpSession::closeNow);
      return null;
    });
    for (CaptpSession s : sessions) s.awaitThreads(limits.abortLinger());
    if (ownsVat) vat.stop();
  }

  private static boolean anyUnflushed(List<CaptpSession> sessions) {
    for (CaptpSession s : sessions) if (s.isLinkOpen() && s.queuedBytes() > 0) return true;
    return false;
  }

  private <T> T inVat(java.util.function.Supplier<T> task) {
    if (vat.inVat()) return task.get();
    CompletableFuture<T> f = new CompletableFuture<>();
    vat.execute(() -> {
      try {
        f.complete(task.get());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the vat did not answer: " + e, e);
    }
  }

  private RefImpl own(Ref ref) {
    if (!(ref instanceof RefImpl r) || r.peer != this) {
      throw new IllegalArgumentException("the reference belongs to another Peer");
    }
    return r;
  }

  static void runReaction(Consumer<Object> reaction, Object reason) {
    try {
      reaction.accept(reason);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "a whenBroken reaction failed", e);
    }
  }

  static String rootMessage(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "closing " + c.description(), e);
    }
  }

  @Override
  public String toString() {
    return "Peer[" + name + "]";
  }

  static final class BuilderImpl implements Builder {
    private final List<Netlayer> netlayers = new ArrayList<>();
    private SessionLimits limits = SessionLimits.DEFAULT;
    private String name = "peer";
    private Duration gcInterval;
    private Dialect dialect = Dialect.DRAFT;
    private Function<Bytes, Ref> swissResolver;
    private boolean independentIncoming;
    private io.capnet.netlayer.EventLoop loop;

    @Override
    public Builder eventLoop(io.capnet.netlayer.EventLoop loop) {
      this.loop = Objects.requireNonNull(loop, "loop");
      return this;
    }

    @Override
    public Builder swissResolver(Function<Bytes, Ref> resolver) {
      this.swissResolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    @Override
    public Builder independentIncomingSessions() {
      this.independentIncoming = true;
      return this;
    }

    @Override
    public Builder dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    @Override
    public Builder netlayer(Netlayer netlayer) {
      netlayers.add(Objects.requireNonNull(netlayer, "netlayer"));
      return this;
    }

    @Override
    public Builder limits(SessionLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    @Override
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    @Override
    public Builder collectGarbageEvery(Duration interval) {
      if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
      this.gcInterval = interval;
      return this;
    }

    @Override
    public Peer build() {
      PeerImpl p = new PeerImpl(this);
      p.startAccepting();
      return p;
    }
  }
}
