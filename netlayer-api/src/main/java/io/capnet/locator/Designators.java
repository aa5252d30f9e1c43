package io.capnet.locator;

import io.capnet.value.Bytes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Designators that name a key: the lowercase RFC 4648 base32 of the raw 32-byte Ed25519 public
 * key, without padding (52 characters), as Goblins' netlayers spell them. Holding such a
 * designator is enough to check the peer's key.
 */
public final class Designators {
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  /** The X.509 SubjectPublicKeyInfo prefix of every Ed25519 key (RFC 8410). */
  private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private Designators() {}

  /** The designator of {@code rawKey}, a 32-byte Ed25519 public key. */
  public static String ofEd25519(Bytes rawKey) {
    if (rawKey.length() != 32) {
      throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, got " + rawKey.length());
    }
    return base32(rawKey.toByteArray());
  }

  /**
   * The raw Ed25519 key a designator names.
   *
   * @throws IllegalArgumentException naming what is wrong: the length, a character outside the
   *     lowercase alphabet, or non-zero bits after the 256th
   */
  public static byte[] ed25519Key(String designator) {
    if (designator.length() != 52) {
      throw new IllegalArgumentException("a designator of an Ed25519 key is 52 lowercase base32 characters,"
          + " got " + designator.length());
    }
    return fromBase32(designator);
  }

  /** The designator of a JDK Ed25519 public key. */
  public static String ofEd25519(PublicKey key) {
    return ofEd25519(rawEd25519(key));
  }

  /** The raw 32 bytes of a JDK Ed25519 public key. */
  public static Bytes rawEd25519(PublicKey key) {
    byte[] der = key.getEncoded();
    if (der.length != X509_PREFIX.length + 32
        || !Arrays.equals(der, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
      throw new IllegalArgumentException("not an Ed25519 public key");
    }
    return Bytes.of(der, X509_PREFIX.length, 32);
  }

  /** A JDK Ed25519 public key from its raw 32 bytes. */
  public static PublicKey ed25519PublicKey(Bytes raw) throws GeneralSecurityException {
    if (raw.length() != 32) throw new GeneralSecurityException("an Ed25519 key is 32 bytes, got " + raw.length());
    byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + 32);
    System.arraycopy(raw.toByteArray(), 0, der, X509_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
  }

  /** Lowercase RFC 4648 base32 without padding. */
  public static String base32(byte[] data) {
    StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    return out.toString();
  }

  /** The inverse of {@link #base32}; refuses characters outside the alphabet and bad padding bits. */
  public static byte[] fromBase32(String text) {
    int bits = 0;
    int buffer = 0;
    byte[] out = new byte[text.length() * 5 / 8];
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int v = c >= 'a' && c <= 'z' ? c - 'a' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
      if (v < 0) {
        throw new IllegalArgumentException("character " + i + " of the designator, '" + c
            + "', is not lowercase base32 (a-z, 2-7)");
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out[n++] = (byte) (buffer >>> (bits - 8));
        bits -= 8;
      }
    }
    if ((buffer & ((1 << bits) - 1)) != 0) {
      throw new IllegalArgumentException("the designator's last character carries non-zero padding bits"
          + " (not the canonical encoding)");
    }
    return out;
  }
}
