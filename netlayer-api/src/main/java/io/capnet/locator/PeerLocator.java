package io.capnet.locator;

import io.capnet.locator.LocatorException.Reason;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import io.capnet.value.Values;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which OCapN peer, and how to reach it: a designator (usually a key), a transport (the
 * netlayer's name) and hints (netlayer-specific connection details such as {@code host} and
 * {@code port}). Immutable.
 *
 * <p><b>Equality follows the OCapN draft</b>: two peer locators are {@link #equals equal} when
 * their designators and transports are, whatever their hints. Use {@link #equalsWithHints} to
 * compare hints too.
 *
 * <p>Hints keep the order they were given in, and {@link #toUri()} writes them in that order;
 * the order is not significant for comparison.
 *
 * <pre>{@code
 * PeerLocator p = PeerLocator.parse("ocapn://k3y.tcp-testing-only?host=127.0.0.1&port=22045");
 * p.designator();     // "k3y"
 * p.transport();      // "tcp-testing-only"
 * p.hint("port");     // Optional["22045"]
 * p.toRecord();       // <ocapn-peer 'tcp-testing-only "k3y" {"host" "127.0.0.1" "port" "22045"}>
 * }</pre>
 */
public final class PeerLocator implements Locator {
  /** The record label, the Symbol {@code ocapn-peer}. */
  public static final String LABEL = "ocapn-peer";

  private final String designator;
  private final String transport;
  private final Map<String, String> hints;

  private PeerLocator(String designator, String transport, Map<String, String> hints) {
    this.designator = designator;
    this.transport = transport;
    this.hints = hints;
  }

  /**
   * A peer locator without hints. Note the order: designator first, as in the URI
   * {@code ocapn://<designator>.<transport>} (the record form has the transport first).
   *
   * @throws LocatorException when the designator is empty ({@code EMPTY_DESIGNATOR}), the
   *     transport is empty ({@code MISSING_TRANSPORT}) or contains '.' ({@code BAD_TRANSPORT}),
   *     or a string has an unpaired surrogate ({@code ILL_FORMED_STRING})
   */
  public static PeerLocator of(String designator, String transport) {
    return of(designator, transport, Map.of());
  }

  /**
   * A peer locator with hints, kept in the map's iteration order.
   *
   * @throws LocatorException as {@link #of(String, String)}, and for an empty hint name
   *     ({@code EMPTY_HINT_NAME})
   */
  public static PeerLocator of(String designator, String transport, Map<String, String> hints) {
    Objects.requireNonNull(designator, "designator");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(hints, "hints");
    if (designator.isEmpty()) {
      throw new LocatorException(Reason.EMPTY_DESIGNATOR, "the designator is empty");
    }
    if (transport.isEmpty()) {
      throw new LocatorException(Reason.MISSING_TRANSPORT, "the transport is empty");
    }
    if (transport.indexOf('.') >= 0) {
      throw new LocatorException(
          Reason.BAD_TRANSPORT, "the transport " + UriForm.quote(transport) + " contains '.'");
    }
    wellFormed(designator, "the designator");
    wellFormed(transport, "the transport");
    return new PeerLocator(designator, transport, copyHints(hints));
  }

  private static Map<String, String> copyHints(Map<String, String> hints) {
    if (hints.isEmpty()) return Map.of();
    LinkedHashMap<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : hints.entrySet()) {
      String name = Objects.requireNonNull(e.getKey(), "hint name");
      String value = Objects.requireNonNull(e.getValue(), "value of hint " + name);
      checkHint(name, value);
      copy.put(name, value);
    }
    return Collections.unmodifiableMap(copy);
  }

  private static void checkHint(String name, String value) {
    if (name.isEmpty()) {
      throw new LocatorException(Reason.EMPTY_HINT_NAME, "a hint name is empty");
    }
    wellFormed(name, "a hint name");
    wellFormed(value, "the value of hint " + UriForm.quote(name));
  }

  private static void wellFormed(String s, String what) {
    if (!Values.isWellFormed(s)) {
      throw new LocatorException(
          Reason.ILL_FORMED_STRING, what + " " + UriForm.quote(s) + " has an unpaired surrogate");
    }
  }

  /**
   * Parses a peer locator URI, {@code ocapn://<designator>.<transport>[?hints]}.
   *
   * @throws LocatorException when the URI breaks a rule of {@code spec/locators.md}, or with
   *     reason {@code WRONG_KIND} for a sturdyref URI
   */
  public static PeerLocator parse(String uri) {
    Locator l = Locator.parse(uri);
    if (l instanceof PeerLocator p) return p;
    throw new LocatorException(
        Reason.WRONG_KIND, "this is a sturdyref URI (its path is /s/...); use Sturdyref.parse");
  }

  /**
   * Reads the record form {@code <ocapn-peer transport designator hints>}: transport a Symbol,
   * designator a String, hints a Struct of String to String, or {@code false} for none (an
   * empty Struct is accepted as none too).
   *
   * @throws LocatorException with reason {@code BAD_RECORD} naming what is wrong with the
   *     shape, {@code WRONG_KIND} for an {@code ocapn-sturdyref} record, or the reason
   *     {@link #of(String, String, Map)} gives for the content
   */
  public static PeerLocator fromRecord(Object value) {
    Record r = RecordForm.expect(value, LABEL, Sturdyref.LABEL, "transport designator hints", 3);
    if (!(r.field(0) instanceof Symbol transport)) {
      throw RecordForm.bad(
          "the transport (field 1 of <ocapn-peer>) must be a Symbol, got " + RecordForm.describe(r.field(0)));
    }
    if (!(r.field(1) instanceof String designator)) {
      throw RecordForm.bad(
          "the designator (field 2 of <ocapn-peer>) must be a String, got " + RecordForm.describe(r.field(1)));
    }
    Object h = r.field(2);
    Map<String, String> hints;
    if (Boolean.FALSE.equals(h)) {
      hints = Map.of();
    } else if (h instanceof Map<?, ?> m) {
      LinkedHashMap<String, String> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String name)) {
          throw RecordForm.bad("a hint name must be a String, got " + RecordForm.describe(e.getKey()));
        }
        if (!(e.getValue() instanceof String v)) {
          throw RecordForm.bad(
              "the value of hint " + UriForm.quote(name) + " must be a String, got "
                  + RecordForm.describe(e.getValue()));
        }
        copy.put(name, v);
      }
      hints = copy;
    } else {
      throw RecordForm.bad(
          "the hints (field 3 of <ocapn-peer>) must be a Struct or false, got " + RecordForm.describe(h));
    }
    return of(designator, transport.name(), hints);
  }

  /** Usually a public key; any non-empty string. */
  public String designator() {
    return designator;
  }

  /** The netlayer's name, e.g. {@code tcp-testing-only}; never contains '.'. */
  public String transport() {
    return transport;
  }

  /** The hints in their order; unmodifiable, empty when there are none. */
  public Map<String, String> hints() {
    return hints;
  }

  /** The value of the hint {@code name}, if present. */
  public Optional<String> hint(String name) {
    return Optional.ofNullable(hints.get(Objects.requireNonNull(name, "name")));
  }

  /** This locator with the hint {@code name} set to {@code value}: replaced in place, or added last. */
  public PeerLocator withHint(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    checkHint(name, value);
    LinkedHashMap<String, String> copy = new LinkedHashMap<>(hints);
    copy.put(name, value);
    return new PeerLocator(designator, transport, Collections.unmodifiableMap(copy));
  }

  /** This locator without the hint {@code name}. */
  public PeerLocator withoutHint(String name) {
    if (!hints.containsKey(Objects.requireNonNull(name, "name"))) return this;
    LinkedHashMap<String, String> copy = new LinkedHashMap<>(hints);
    copy.remove(name);
    return new PeerLocator(designator, transport, copy.isEmpty() ? Map.of() : Collections.unmodifiableMap(copy));
  }

  /** This locator with exactly {@code hints}, in their order. */
  public PeerLocator withHints(Map<String, String> hints) {
    return new PeerLocator(designator, transport, copyHints(Objects.requireNonNull(hints, "hints")));
  }

  /** The sturdyref for the object with this swiss number on this peer. */
  public Sturdyref sturdyref(Bytes swissNumber) {
    return Sturdyref.of(this, swissNumber);
  }

  /** The sturdyref whose swiss number is the UTF-8 bytes of {@code swissNumber}. */
  public Sturdyref sturdyref(String swissNumber) {
    return Sturdyref.of(this, swissNumber);
  }

  /** Returns this. */
  @Override
  public PeerLocator peer() {
    return this;
  }

  /**
   * {@code ocapn://<designator>.<transport>[?name=value&...]}, lowercase scheme, every byte
   * outside RFC 3986 unreserved characters percent-encoded (uppercase hex), hints in order.
   */
  @Override
  public String toUri() {
    return UriForm.print(this, null);
  }

  /** {@code <ocapn-peer 'transport "designator" hints>}, hints {@code false} when there are none. */
  @Override
  public Record toRecord() {
    return new Record(
        new Symbol(LABEL),
        List.of(new Symbol(transport), designator, hints.isEmpty() ? Boolean.FALSE : hints));
  }

  /** True when {@code other} is the same peer ({@link #equals}) and has equal hints (in any order). */
  public boolean equalsWithHints(PeerLocator other) {
    return equals(other) && hints.equals(other.hints);
  }

  /** Same designator and same transport; hints are ignored, as the OCapN draft says. */
  @Override
  public boolean equals(Object o) {
    return o instanceof PeerLocator p && designator.equals(p.designator) && transport.equals(p.transport);
  }

  @Override
  public int hashCode() {
    return designator.hashCode() * 31 + transport.hashCode();
  }

  /** The URI form. */
  @Override
  public String toString() {
    return toUri();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
