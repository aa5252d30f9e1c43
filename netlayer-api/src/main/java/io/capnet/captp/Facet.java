package io.capnet.captp;

import java.util.Set;

/**
 * A forwarder that lets only the named methods through (Flue's "demote" permission in OCapN
 * terms). Any other message breaks with an error naming the method and the allowed ones; the
 * target never sees it.
 */
public final class Facet {
  private Facet() {}

  /** A new object in {@code peer}'s vat that forwards only {@code methods} to {@code target}. */
  public static Ref of(Peer peer, Ref target, String... methods) {
    return Attenuators.facet((PeerImpl) peer, (RefImpl) target, Set.of(methods));
  }
}
