package io.capnet.captp;

/**
 * A revocable forwarder (Flue's "kill" permission in OCapN terms). Give {@link #ref()} away
 * instead of the target; {@link #revoke} later cuts every holder off, wherever they are.
 *
 * <p>Once revoked, every message to the caretaker breaks with the reason, and every holder's
 * {@link Ref#whenBroken} fires: local holders at once, remote Capnet holders through the
 * {@code op:listen} their peer keeps on the caretaker.
 */
public interface Caretaker {
  /** The forwarder to hand out. */
  Ref ref();

  /** Breaks the forwarder for good. {@code reason} is usually a String; later calls do nothing. */
  void revoke(Object reason);

  /** Makes a caretaker for {@code target}, living in {@code peer}'s vat. */
  static Caretaker of(Peer peer, Ref target) {
    return Attenuators.caretaker((PeerImpl) peer, (RefImpl) target);
  }
}
