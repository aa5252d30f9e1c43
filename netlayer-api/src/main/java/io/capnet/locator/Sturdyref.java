package io.capnet.locator;

import io.capnet.locator.LocatorException.Reason;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.util.List;
import java.util.Objects;

/**
 * A persistent capability: a {@link PeerLocator} and a swiss number that names one object on
 * that peer. Anyone holding it may reach the object, so {@link #toString()} hides the swiss
 * number; {@link #toUri()} does not. Immutable.
 *
 * <p>The swiss number is a ByteArray. In the URI form it is the one path segment after
 * {@code /s/}: its bytes are the percent-decoded segment, so any bytes can be written
 * (non-UTF-8 ones as {@code %XX}), and {@code Sturdyref.parse(s.toUri())} equals {@code s} for
 * every swiss number.
 *
 * <p>Equality: same peer ({@link PeerLocator#equals}, hints ignored) and same swiss number.
 */
public final class Sturdyref implements Locator {
  /** The record label, the Symbol {@code ocapn-sturdyref}. */
  public static final String LABEL = "ocapn-sturdyref";

  private final PeerLocator peer;
  private final Bytes swissNumber;

  private Sturdyref(PeerLocator peer, Bytes swissNumber) {
    this.peer = peer;
    this.swissNumber = swissNumber;
  }

  public static Sturdyref of(PeerLocator peer, Bytes swissNumber) {
    return new Sturdyref(Objects.requireNonNull(peer, "peer"), Objects.requireNonNull(swissNumber, "swissNumber"));
  }

  /**
   * A sturdyref whose swiss number is the UTF-8 bytes of {@code swissNumber}, as for the OCapN
   * test suite's ASCII swiss numbers.
   */
  public static Sturdyref of(PeerLocator peer, String swissNumber) {
    Objects.requireNonNull(swissNumber, "swissNumber");
    if (!io.capnet.value.Values.isWellFormed(swissNumber)) {
      throw new LocatorException(Reason.ILL_FORMED_STRING, "the swiss number has an unpaired surrogate");
    }
    return of(peer, Bytes.adopt(PeerLocator.utf8(swissNumber)));
  }

  /**
   * Parses {@code ocapn://<designator>.<transport>/s/<swiss>[?hints]}.
   *
   * @throws LocatorException when the URI breaks a rule of {@code spec/locators.md}, or with
   *     reason {@code WRONG_KIND} for a peer locator URI (no {@code /s/} path)
   */
  public static Sturdyref parse(String uri) {
    Locator l = Locator.parse(uri);
    if (l instanceof Sturdyref s) return s;
    throw new LocatorException(
        Reason.WRONG_KIND, "this is a peer locator URI (it has no /s/ path); use PeerLocator.parse");
  }

  /**
   * Reads {@code <ocapn-sturdyref <ocapn-peer ...> swiss-num>}, the swiss number a ByteArray.
   *
   * @throws LocatorException with reason {@code BAD_RECORD} naming what is wrong with the
   *     shape, {@code WRONG_KIND} for an {@code ocapn-peer} record, or what
   *     {@link PeerLocator#fromRecord} throws for the peer
   */
  public static Sturdyref fromRecord(Object value) {
    Record r = RecordForm.expect(value, LABEL, PeerLocator.LABEL, "peer swiss-num", 2);
    Object peer = r.field(0);
    if (!(peer instanceof Record pr && pr.hasLabel(PeerLocator.LABEL))) {
      throw RecordForm.bad(
          "the peer (field 1 of <ocapn-sturdyref>) must be an <ocapn-peer ...> record, got "
              + RecordForm.describe(peer));
    }
    if (!(r.field(1) instanceof Bytes swiss)) {
      throw RecordForm.bad(
          "the swiss number (field 2 of <ocapn-sturdyref>) must be a ByteArray, got "
              + (r.field(1) instanceof String ? "a String" : RecordForm.describe(r.field(1))));
    }
    return of(PeerLocator.fromRecord(peer), swiss);
  }

  @Override
  public PeerLocator peer() {
    return peer;
  }

  public Bytes swissNumber() {
    return swissNumber;
  }

  /** The same object reached through {@code peer}, e.g. with other hints. */
  public Sturdyref withPeer(PeerLocator peer) {
    return of(peer, swissNumber);
  }

  /**
   * {@code ocapn://<designator>.<transport>/s/<swiss>[?hints]}, encoded as for
   * {@link PeerLocator#toUri()}; swiss bytes outside RFC 3986 unreserved characters as {@code %XX}.
   * This string is the capability: treat it as a secret.
   */
  @Override
  public String toUri() {
    return UriForm.print(peer, swissNumber);
  }

  /** {@code <ocapn-sturdyref <ocapn-peer ...> swiss-bytes>}. */
  @Override
  public Record toRecord() {
    return new Record(new Symbol(LABEL), List.of(peer.toRecord(), swissNumber));
  }

  /** Same peer with equal hints ({@link PeerLocator#equalsWithHints}) and same swiss number. */
  public boolean equalsWithHints(Sturdyref other) {
    return other != null && peer.equalsWithHints(other.peer) && swissNumber.equals(other.swissNumber);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sturdyref s && peer.equals(s.peer) && swissNumber.equals(s.swissNumber);
  }

  @Override
  public int hashCode() {
    return peer.hashCode() * 31 + swissNumber.hashCode();
  }

  /** The URI with the swiss number replaced by {@code <redacted>}; use {@link #toUri()} for the real one. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(UriForm.print(peer.withHints(java.util.Map.of()), null));
    sb.append("/s/<redacted>");
    UriForm.appendHints(peer.hints(), sb);
    return sb.toString();
  }
}
