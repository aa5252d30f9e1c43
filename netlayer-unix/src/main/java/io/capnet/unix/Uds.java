package io.capnet.unix;

import io.capnet.captp.OcapnKeys;
import io.capnet.codec.Codec;
import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeLimits;
import io.capnet.locator.Designators;
import io.capnet.locator.PeerLocator;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import io.capnet.value.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The records of OCapN's unix-domain-socket introduction protocol (the draft
 * {@code Netlayer-Unix-Domain-Socket.draft.md}) and Capnet's {@code uds:abort}, in Syrup. Wire
 * forms, the choices where the draft is silent, and where Goblins differs: {@code spec/uds.md}.
 * Readers accept both signature forms; writers use the one asked for.
 */
public final class Uds {
  private Uds() {}

  /** The transport name in this protocol's locators. */
  public static final String TRANSPORT = "unix-domain-socket";
  /** The hint value the draft gives every introduction server key; it carries no meaning. */
  public static final String HINT_VALUE = "1";
  /** Bounds of a challenge, in bytes (spec/limits.md); Capnet sends {@link #CHALLENGE_BYTES}. */
  public static final int MIN_CHALLENGE = 16;
  public static final int MAX_CHALLENGE = 1024;
  public static final int CHALLENGE_BYTES = 32;
  /** The most bytes of one record on an introduction socket (maxUdsRecordBytes). */
  public static final int MAX_RECORD_BYTES = 16 * 1024;
  /** The decode limits of every record: small, since no record needs more. */
  public static final DecodeLimits LIMITS = DecodeLimits.DEFAULT.withMaxValueBytes(MAX_RECORD_BYTES)
      .withMaxByteArrayBytes(MAX_RECORD_BYTES).withMaxStringBytes(MAX_RECORD_BYTES).withMaxDepth(16);
  private static final Codec SYRUP = Codec.syrup(LIMITS);
  static final Codec LIMITS_CODEC = SYRUP;

  /** How a signature is written where the draft and Goblins disagree (spec/uds.md). */
  public enum SignatureForm {
    /** The draft's text: {@code uds:signature} records, signatures as sig-val lists. */
    DRAFT,
    /** What Goblins reads: a bare sig-val in the server response, 64 raw bytes in {@code uds:signature}. */
    GOBLINS
  }

  /** One record of the protocol. */
  public sealed interface Message permits Register, ServerResponse, Signed, NewConnection, Abort {}

  /** {@code <uds:register peer-location client-challenge>}. */
  public record Register(PeerLocator location, Bytes challenge) implements Message {}

  /** {@code <uds:server-response pubkey server-challenge client-challenge-response>}. */
  public record ServerResponse(Bytes serverKey, Bytes serverChallenge, Signed response) implements Message {}

  /**
   * {@code <uds:signature payload signature>}; {@code signature} is the raw 64 bytes. In a
   * Goblins-form server response there is no payload on the wire: it is then null.
   */
  public record Signed(Bytes payload, Bytes signature) implements Message {}

  /** {@code <uds:new-connection from to>}. */
  public record NewConnection(PeerLocator from, PeerLocator to) implements Message {}

  /** {@code <uds:abort reason>}: Capnet's refusal, written before it closes the connection. */
  public record Abort(String reason) implements Message {}

  /** A record that breaks the forms in spec/uds.md. */
  public static final class MalformedException extends Exception {
    public MalformedException(String message) {
      super(message);
    }
  }

  /** The Syrup bytes of {@code m}. */
  public static byte[] encode(Message m, SignatureForm form) {
    Objects.requireNonNull(form, "form");
    return SYRUP.encode(switch (m) {
      case Register r -> rec("uds:register", r.location().toRecord(), r.challenge());
      case ServerResponse r -> rec("uds:server-response", OcapnKeys.publicKeyValue(r.serverKey()), r.serverChallenge(),
          form == SignatureForm.GOBLINS ? OcapnKeys.signatureValue(r.response().signature())
              : signedValue(r.response(), SignatureForm.DRAFT));
      case Signed s -> signedValue(s, form);
      case NewConnection n -> rec("uds:new-connection", n.from().toRecord(), n.to().toRecord());
      case Abort a -> rec("uds:abort", a.reason());
    });
  }

  private static Record signedValue(Signed s, SignatureForm form) {
    return rec("uds:signature", Objects.requireNonNull(s.payload(), "payload"),
        form == SignatureForm.GOBLINS ? s.signature() : OcapnKeys.signatureValue(s.signature()));
  }

  private static Record rec(String label, Object... fields) {
    return new Record(new Symbol(label), List.of(fields));
  }

  /** Decodes one whole record. */
  public static Message decode(byte[] bytes, int offset, int length) throws DecodeException, MalformedException {
    return fromValue(SYRUP.decode(bytes, offset, length, io.capnet.codec.DecodeContext.NONE));
  }

  /** The message a decoded Syrup value is. */
  public static Message fromValue(Object value) throws MalformedException {
    if (!(value instanceof Record r) || !(r.label() instanceof Symbol label)) {
      throw new MalformedException("expected a uds: record, got a " + typeName(value));
    }
    switch (label.name()) {
      case "uds:register" -> {
        arity(r, "uds:register", "peer-location client-challenge", 2);
        PeerLocator at = locator(r.field(0), "peer-location of uds:register");
        Bytes challenge = bytes(r, 1, "uds:register", "client-challenge");
        challenge(challenge, "client-challenge of uds:register");
        return new Register(at, challenge);
      }
      case "uds:server-response" -> {
        arity(r, "uds:server-response", "pubkey server-challenge client-challenge-response", 3);
        Bytes key;
        try {
          key = OcapnKeys.parsePublicKey(r.field(0));
        } catch (IllegalArgumentException e) {
          throw new MalformedException("pubkey of uds:server-response: " + e.getMessage());
        }
        Bytes challenge = bytes(r, 1, "uds:server-response", "server-challenge");
        challenge(challenge, "server-challenge of uds:server-response");
        Object resp = r.field(2);
        Signed signed = resp instanceof Record inner ? signed(inner) : new Signed(null, signature(resp,
            "client-challenge-response of uds:server-response", false));
        return new ServerResponse(key, challenge, signed);
      }
      case "uds:signature" -> {
        return signed(r);
      }
      case "uds:new-connection" -> {
        arity(r, "uds:new-connection", "from to", 2);
        return new NewConnection(locator(r.field(0), "from of uds:new-connection"),
            locator(r.field(1), "to of uds:new-connection"));
      }
      case "uds:abort" -> {
        arity(r, "uds:abort", "reason", 1);
        if (!(r.field(0) instanceof String reason)) {
          throw new MalformedException("field 1 of uds:abort (reason) must be a String, got a "
              + typeName(r.field(0)));
        }
        return new Abort(reason);
      }
      default -> throw new MalformedException("unknown uds record <" + label.name() + " ...>; expected one of"
          + " uds:register, uds:server-response, uds:signature, uds:new-connection, uds:abort");
    }
  }

  private static Signed signed(Record r) throws MalformedException {
    if (!(r.label() instanceof Symbol s) || !s.name().equals("uds:signature")) {
      throw new MalformedException("client-challenge-response of uds:server-response must be a uds:signature record"
          + " or a sig-val list");
    }
    arity(r, "uds:signature", "payload signature", 2);
    Bytes payload = bytes(r, 0, "uds:signature", "payload");
    return new Signed(payload, signature(r.field(1), "signature of uds:signature", true));
  }

  /** A sig-val list (the draft) or, where Goblins writes it so, 64 raw bytes. */
  private static Bytes signature(Object v, String what, boolean rawAllowed) throws MalformedException {
    if (rawAllowed && v instanceof Bytes b) {
      if (b.length() != 64) throw new MalformedException(what + " must be a sig-val list or 64 bytes, got " + b.length() + " bytes");
      return b;
    }
    try {
      return OcapnKeys.rawSignature(v);
    } catch (IllegalArgumentException e) {
      throw new MalformedException(what + ": " + e.getMessage());
    }
  }

  private static void arity(Record r, String label, String fields, int n) throws MalformedException {
    if (r.size() != n) throw new MalformedException(label + " has " + n + " fields (" + fields + "), got " + r.size());
  }

  private static Bytes bytes(Record r, int i, String label, String field) throws MalformedException {
    if (r.field(i) instanceof Bytes b) return b;
    throw new MalformedException("field " + (i + 1) + " of " + label + " (" + field + ") must be a ByteArray, got a "
        + typeName(r.field(i)));
  }

  private static void challenge(Bytes c, String what) throws MalformedException {
    if (c.length() < MIN_CHALLENGE || c.length() > MAX_CHALLENGE) {
      throw new MalformedException(what + " has " + c.length() + " bytes; a challenge has " + MIN_CHALLENGE + " to "
          + MAX_CHALLENGE);
    }
  }

  /**
   * An {@code <ocapn-peer ...>} of this transport whose designator is an Ed25519 key. Hints are
   * read leniently (Goblins writes {@code #t} and {@code "t"} values): only their keys count,
   * and a value that is not a String is read as {@link #HINT_VALUE}.
   */
  static PeerLocator locator(Object v, String what) throws MalformedException {
    if (!(v instanceof Record r) || !(r.label() instanceof Symbol s) || !s.name().equals(PeerLocator.LABEL)
        || r.size() != 3 || !(r.field(0) instanceof Symbol transport) || !(r.field(1) instanceof String designator)) {
      throw new MalformedException(what + " must be an <ocapn-peer transport designator hints> record");
    }
    if (!transport.name().equals(TRANSPORT)) {
      throw new MalformedException(what + " has transport " + transport.name() + ", not " + TRANSPORT);
    }
    try {
      Designators.ed25519Key(designator);
    } catch (IllegalArgumentException e) {
      throw new MalformedException(what + ": " + e.getMessage());
    }
    Map<String, String> hints = new LinkedHashMap<>();
    if (r.field(2) instanceof Map<?, ?> m) {
      for (var e : m.entrySet()) {
        if (!(e.getKey() instanceof String k) || k.isEmpty()) throw new MalformedException(what + ": a hint key must be a non-empty String");
        hints.put(k, e.getValue() instanceof String val ? val : HINT_VALUE);
      }
    } else if (!Boolean.FALSE.equals(r.field(2))) {
      throw new MalformedException(what + ": hints must be a Struct or false");
    }
    return PeerLocator.of(designator, TRANSPORT, hints);
  }

  private static String typeName(Object v) {
    return switch (Values.typeOf(v)) {
      case BYTE_ARRAY -> "ByteArray";
      case FLOAT64 -> "Float64";
      default -> {
        String n = Values.typeOf(v).name();
        yield n.charAt(0) + n.substring(1).toLowerCase(java.util.Locale.ROOT);
      }
    };
  }

  /** The introduction server designators a locator's hints name, in order. */
  public static List<String> introductionServers(PeerLocator l) {
    return new ArrayList<>(l.hints().keySet());
  }
}
