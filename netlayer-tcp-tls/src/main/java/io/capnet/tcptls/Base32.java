package io.capnet.tcptls;

/**
 * RFC 4648 base32 in lowercase, without padding, for 32-byte keys. Decoding is strict: only the
 * canonical encoding of exactly 32 bytes is accepted, so one key has one designator.
 */
final class Base32 {
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  /** Characters in the encoding of 32 bytes: ceil(256 / 5). */
  static final int KEY_CHARS = 52;

  private Base32() {}

  static String encode(byte[] data) {
    StringBuilder sb = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) sb.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    return sb.toString();
  }

  /**
   * Decodes the designator of a 32-byte key.
   *
   * @throws IllegalArgumentException naming what is wrong: the length, a character outside the
   *     lowercase alphabet, or non-zero bits after the 256th
   */
  static byte[] decodeKey(String s) {
    if (s.length() != KEY_CHARS) {
      throw new IllegalArgumentException("a tcp-tls designator is " + KEY_CHARS
          + " lowercase base32 characters (a 32-byte Ed25519 key), got " + s.length());
    }
    byte[] out = new byte[32];
    int buffer = 0;
    int bits = 0;
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int v;
      if (c >= 'a' && c <= 'z') v = c - 'a';
      else if (c >= '2' && c <= '7') v = c - '2' + 26;
      else {
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
          + " (not the canonical encoding of a key)");
    }
    return out;
  }
}
