package io.capnet.captp;

import io.capnet.locator.Designators;
import io.capnet.codec.Codec;
import io.capnet.value.Bytes;
import io.capnet.value.Symbol;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.List;

/**
 * Ed25519 per-session keys and the gcrypt-style wire forms CapTP gives them.
 *
 * <pre>
 *   public key:  [public-key [ecc [curve Ed25519] [flags eddsa] [q Q]]]     Q: 32-byte ByteArray
 *   signature:   [sig-val [eddsa [r R] [s S]]]                              R, S: 32 bytes each
 *   public id:   sha256(sha256(syrup(public key)))
 *   session id:  sha256(sha256("prot0" || lower public id || higher public id))
 * </pre>
 */
final class SessionKeys {
  private SessionKeys() {}

  static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  static Bytes raw(PublicKey key) {
    return Designators.rawEd25519(key);
  }

  static PublicKey publicKey(Bytes raw) throws GeneralSecurityException {
    return Designators.ed25519PublicKey(raw);
  }

  static List<Object> publicKeyValue(Bytes raw) {
    return List.of(
        sym("public-key"),
        List.of(
            sym("ecc"),
            List.of(sym("curve"), sym("Ed25519")),
            List.of(sym("flags"), sym("eddsa")),
            List.of(sym("q"), raw)));
  }

  /** The 32-byte key in a public-key value. */
  static Bytes parsePublicKey(Object value) throws ProtocolException {
    try {
      List<?> top = (List<?>) value;
      expect(top, 2, "public-key");
      List<?> ecc = (List<?>) top.get(1);
      expect(ecc, 4, "ecc");
      List<?> curve = (List<?>) ecc.get(1);
      expect(curve, 2, "curve");
      if (!sym("Ed25519").equals(curve.get(1))) throw new ClassCastException();
      List<?> flags = (List<?>) ecc.get(2);
      expect(flags, 2, "flags");
      if (!sym("eddsa").equals(flags.get(1))) throw new ClassCastException();
      List<?> q = (List<?>) ecc.get(3);
      expect(q, 2, "q");
      Bytes raw = (Bytes) q.get(1);
      if (raw.length() != 32) throw new ClassCastException();
      return raw;
    } catch (ClassCastException | IndexOutOfBoundsException e) {
      throw new ProtocolException(
          "malformed public key: expected [public-key [ecc [curve Ed25519] [flags eddsa] [q <32 bytes>]]]");
    }
  }

  static List<Object> sign(PrivateKey key, byte[] data) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(data);
      byte[] sig = s.sign();
      return List.of(
          sym("sig-val"),
          List.of(
              sym("eddsa"),
              List.of(sym("r"), Bytes.of(sig, 0, 32)),
              List.of(sym("s"), Bytes.of(sig, 32, 32))));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  /** Whether {@code signature} (a sig-val value) is a valid signature of {@code data} by {@code key}. */
  static boolean verify(Bytes key, byte[] data, Object signature) {
    byte[] sig;
    try {
      List<?> top = (List<?>) signature;
      expect(top, 2, "sig-val");
      List<?> eddsa = (List<?>) top.get(1);
      expect(eddsa, 3, "eddsa");
      List<?> r = (List<?>) eddsa.get(1);
      expect(r, 2, "r");
      List<?> s = (List<?>) eddsa.get(2);
      expect(s, 2, "s");
      Bytes rb = (Bytes) r.get(1);
      Bytes sb = (Bytes) s.get(1);
      if (rb.length() != 32 || sb.length() != 32) return false;
      sig = new byte[64];
      System.arraycopy(rb.toByteArray(), 0, sig, 0, 32);
      System.arraycopy(sb.toByteArray(), 0, sig, 32, 32);
    } catch (ClassCastException | IndexOutOfBoundsException | ProtocolException e) {
      return false;
    }
    try {
      Signature v = Signature.getInstance("Ed25519");
      v.initVerify(publicKey(key));
      v.update(data);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static Bytes publicId(Bytes rawKey) {
    return Bytes.adopt(sha256(sha256(Codec.syrup().encode(publicKeyValue(rawKey)))));
  }

  static Bytes sessionId(Bytes idA, Bytes idB) {
    Bytes lo = idA.compareTo(idB) <= 0 ? idA : idB;
    Bytes hi = lo == idA ? idB : idA;
    byte[] prot = "prot0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] all = new byte[prot.length + lo.length() + hi.length()];
    System.arraycopy(prot, 0, all, 0, prot.length);
    System.arraycopy(lo.toByteArray(), 0, all, prot.length, lo.length());
    System.arraycopy(hi.toByteArray(), 0, all, prot.length + lo.length(), hi.length());
    return Bytes.adopt(sha256(sha256(all)));
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void expect(List<?> list, int size, String head) throws ProtocolException {
    if (list.size() != size || !sym(head).equals(list.get(0))) {
      throw new ProtocolException("expected [" + head + " ...]");
    }
  }

  private static Symbol sym(String name) {
    return new Symbol(name);
  }
}
