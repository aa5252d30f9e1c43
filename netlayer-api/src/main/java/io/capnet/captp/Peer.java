package io.capnet.captp;

import io.capnet.netlayer.EventLoop;
import io.capnet.locator.PeerLocator;
import io.capnet.locator.Sturdyref;
import io.capnet.netlayer.Netlayer;
import io.capnet.value.Bytes;
import io.capnet.netlayer.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * An OCapN peer: one vat for its local objects, the netlayers it is reachable on, and one CapTP
 * session per remote peer, made on demand and reused.
 *
 * <pre>{@code
 * try (Peer peer = Peer.builder().netlayer(netlayer).build()) {
 *   Ref greeter = peer.spawn(Methods.builder().on("greet", a -> "Hello, " + a.get(0)).build());
 *   Sturdyref uri = peer.export(greeter);          // ocapn://...  to give away
 *   Object reply = other.enliven(uri).send("greet", "you").future().join();
 * }
 * }</pre>
 */
public interface Peer extends AutoCloseable {
  /**
   * A loop that several peers can share ({@link Builder#eventLoop}): one thread, whose selector
   * is {@code provider}'s (the netlayer's, e.g. junixsocket's for unix sockets). It runs, as a
   * daemon thread, for as long as the process does.
   */
  static EventLoop newEventLoop(String name, java.nio.channels.spi.SelectorProvider provider) {
    return new Vat(name, provider);
  }

  static Builder builder() {
    return new PeerImpl.BuilderImpl();
  }

  /**
   * In a handler, the session whose message is being delivered; empty outside a handler, for
   * local sends, and for messages that waited on a promise before reaching their target.
   */
  static Optional<SessionInfo> caller() {
    return PeerImpl.caller();
  }

  /**
   * Runs {@code task} in this peer's vat, after the turns already queued: the way for other
   * threads (timers, I/O) to touch state that handlers own.
   */
  void execute(Runnable task);

  /** Makes a local object that behaves as {@code handler} says. */
  Ref spawn(Handler handler);

  /** A fresh promise and its resolver. */
  Deferred deferred();

  /**
   * Makes {@code ref} reachable by a sturdyref on the first netlayer, under a fresh random
   * 32-byte swiss number. Anyone holding the URI can reach the object: treat it as a secret.
   */
  Sturdyref export(Ref ref);

  /** Like {@link #export(Ref)} with a chosen swiss number (for well-known test objects). */
  Sturdyref export(Ref ref, Bytes swissNumber);

  /** Forgets a swiss number; existing live references are unaffected. */
  void unexport(Bytes swissNumber);

  /** A promise for the object a sturdyref designates; local sturdyrefs resolve locally. */
  Promise enliven(Sturdyref sturdyref);

  /** Parses an {@code ocapn://.../s/...} URI and enlivens it. */
  Promise enliven(String sturdyrefUri);

  /**
   * Runs a session over {@code connection} as the side that dialled, whatever location the peer
   * announces, and fetches {@code swissNumber} from its bootstrap object. For netlayers that
   * reach a service (such as the Switchboard) before they know its designator.
   */
  Promise fetchOver(Connection connection, Bytes swissNumber);

  /** The locator of the first netlayer. */
  PeerLocator locator();

  List<PeerLocator> locators();

  /** The sessions now active, with the locators their peers announced. */
  List<PeerLocator> sessions();

  /** Aborts the session with {@code remote}, if any, with {@code reason}. */
  void abortSession(PeerLocator remote, String reason);

  /** Aborts every session, closes the netlayers and stops the vat. */
  @Override
  void close();

  interface Builder {
    /** Adds a netlayer; the first one added names the peer in {@link #locator()}. */
    Builder netlayer(Netlayer netlayer);

    Builder limits(SessionLimits limits);

    /** How no-answer sends and GC are spelled on the wire; {@link Dialect#DRAFT} by default. */
    Builder dialect(Dialect dialect);

    /** Names the vat thread and log lines. */
    Builder name(String name);

    /**
     * Runs {@code System.gc()} at this interval while the peer holds imports, so that dropped
     * references reach {@code op:gc-export} without waiting for memory pressure. Off by default;
     * meant for conformance runs and tests, where GC traffic is being observed.
     */
    Builder collectGarbageEvery(Duration interval);

    /**
     * Consulted by the bootstrap object for a fetch whose swiss number is not exported. Runs in
     * the vat, with {@link Peer#caller()} naming the fetching session; returns null for "no
     * such object", or throws {@link BrokenException} to refuse with a reason.
     */
    Builder swissResolver(Function<Bytes, Ref> resolver);

    /**
     * Keeps every incoming session on its own instead of one session per remote location: no
     * crossed-hellos settlement, no superseding, and {@link Peer#enliven} never routes over
     * them. For servers (the Switchboard) whose callers' announced locations are unproven, so
     * that one caller can never end another's session by claiming its location.
     */
    Builder independentIncomingSessions();

    /**
     * Runs this peer on {@code loop} (from {@link Peer#newEventLoop}) instead of a thread of its
     * own: peers on one loop share its thread, so their turns never overlap. {@link Peer#close()}
     * leaves a shared loop running.
     */
    Builder eventLoop(EventLoop loop);

    Peer build();
  }
}
