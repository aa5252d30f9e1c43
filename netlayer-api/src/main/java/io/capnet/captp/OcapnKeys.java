package io.capnet.captp;

import io.capnet.value.Bytes;
import java.security.PrivateKey;
import java.util.List;

/**
 * CapTP's wire forms of Ed25519 public keys and signatures ({@code CapTP-Specification.md},
 * "Public Key" and "Signature"), for protocols beside CapTP that reuse them, such as the
 * unix-domain-socket introduction protocol ({@code spec/uds.md}). The same code makes and checks
 * them for handoffs.
 *
 * <pre>
 *   public key:  [public-key [ecc [curve Ed25519] [flags eddsa] [q Q]]]     Q: 32 bytes
 *   signature:   [sig-val [eddsa [r R] [s S]]]                              R, S: 32 bytes each
 * </pre>
 */
public final class OcapnKeys {
  private OcapnKeys() {}

  /** The public-key list of a raw 32-byte Ed25519 key. */
  public static List<Object> publicKeyValue(Bytes rawKey) {
    if (rawKey.length() != 32) throw new IllegalArgumentException("an Ed25519 key has 32 bytes, got " + rawKey.length());
    return SessionKeys.publicKeyValue(rawKey);
  }

  /**
   * The raw key in a public-key list.
   *
   * @throws IllegalArgumentException naming the form expected
   */
  public static Bytes parsePublicKey(Object value) {
    try {
      return SessionKeys.parsePublicKey(value);
    } catch (ProtocolException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /** Signs {@code data} (pure Ed25519) and gives the raw 64-byte signature. */
  public static Bytes sign(PrivateKey key, byte[] data) {
    return rawSignature(SessionKeys.sign(key, data));
  }

  /** The sig-val list of a raw 64-byte signature. */
  public static List<Object> signatureValue(Bytes raw) {
    if (raw.length() != 64) throw new IllegalArgumentException("an Ed25519 signature has 64 bytes, got " + raw.length());
    return List.of(new io.capnet.value.Symbol("sig-val"), List.of(new io.capnet.value.Symbol("eddsa"),
        List.of(new io.capnet.value.Symbol("r"), Bytes.of(raw.toByteArray(), 0, 32)),
        List.of(new io.capnet.value.Symbol("s"), Bytes.of(raw.toByteArray(), 32, 32))));
  }

  /**
   * The raw 64 bytes of a sig-val list.
   *
   * @throws IllegalArgumentException naming the form expected
   */
  public static Bytes rawSignature(Object sigVal) {
    try {
      List<?> eddsa = (List<?>) ((List<?>) sigVal).get(1);
      Bytes r = (Bytes) ((List<?>) eddsa.get(1)).get(1);
      Bytes s = (Bytes) ((List<?>) eddsa.get(2)).get(1);
      // The shape check is the engine's: rebuild the list and compare.
      byte[] all = new byte[64];
      if (r.length() != 32 || s.length() != 32) throw new ClassCastException();
      System.arraycopy(r.toByteArray(), 0, all, 0, 32);
      System.arraycopy(s.toByteArray(), 0, all, 32, 32);
      Bytes raw = Bytes.adopt(all);
      if (!signatureValue(raw).equals(sigVal)) throw new ClassCastException();
      return raw;
    } catch (ClassCastException | IndexOutOfBoundsException | NullPointerException e) {
      throw new IllegalArgumentException("malformed signature: expected [sig-val [eddsa [r <32 bytes>] [s <32 bytes>]]]");
    }
  }

  /** Whether {@code signature} (64 raw bytes) is {@code key}'s Ed25519 signature of {@code data}. */
  public static boolean verify(Bytes key, byte[] data, Bytes signature) {
    return signature.length() == 64 && SessionKeys.verify(key, data, signatureValue(signature));
  }
}
