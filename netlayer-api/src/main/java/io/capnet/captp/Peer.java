package io.capnet.captp;

import io.capnet.locator.PeerLocator;
import io.capnet.locator.Sturdyref;
import io.capnet.netlayer.Netlayer;
import io.capnet.value.Bytes;
import java.time.Duration;
import java.util.List;

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
  static Builder builder() {
    return new PeerImpl.BuilderImpl();
  }

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

    Peer build();
  }
}
