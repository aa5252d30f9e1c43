package io.capnet.locator;

import io.capnet.value.Record;

/**
 * An OCapN locator: a {@link PeerLocator} (which peer) or a {@link Sturdyref} (which object on
 * which peer). Both are immutable and have a URI form, for users and bootstrapping, and a record
 * form, which travels inside CapTP messages. See {@code spec/locators.md}.
 */
public sealed interface Locator permits PeerLocator, Sturdyref {
  /** The peer: this locator itself, or the peer a sturdyref lives on. */
  PeerLocator peer();

  /** The URI form, e.g. {@code ocapn://abc.tcp-testing-only?host=127.0.0.1&port=22045}. */
  String toUri();

  /** The record form: {@code <ocapn-peer ...>} or {@code <ocapn-sturdyref ...>}. */
  Record toRecord();

  /**
   * Parses a peer locator URI ({@code ocapn://d.t?hints}) or a sturdyref URI
   * ({@code ocapn://d.t/s/swiss?hints}).
   *
   * @throws LocatorException when {@code uri} breaks a rule of {@code spec/locators.md}
   */
  static Locator parse(String uri) {
    UriForm.Parsed p = UriForm.parse(java.util.Objects.requireNonNull(uri, "uri"));
    PeerLocator peer = PeerLocator.of(p.designator(), p.transport(), p.hints());
    return p.swiss() == null ? peer : Sturdyref.of(peer, p.swiss());
  }

  /**
   * Reads an {@code <ocapn-peer ...>} or {@code <ocapn-sturdyref ...>} record, e.g. as decoded
   * by {@link io.capnet.codec.Codec#syrup()}.
   *
   * @throws LocatorException with reason {@code BAD_RECORD} when the shape is wrong, or the
   *     reason a constructor gives (e.g. {@code EMPTY_DESIGNATOR}) when a field's content is
   */
  static Locator fromRecord(Object value) {
    if (value instanceof Record r && r.hasLabel(Sturdyref.LABEL)) return Sturdyref.fromRecord(r);
    if (value instanceof Record r && r.hasLabel(PeerLocator.LABEL)) return PeerLocator.fromRecord(r);
    throw RecordForm.bad(
        "expected an <" + PeerLocator.LABEL + " ...> or <" + Sturdyref.LABEL + " ...> record, got "
            + RecordForm.describe(value));
  }
}
