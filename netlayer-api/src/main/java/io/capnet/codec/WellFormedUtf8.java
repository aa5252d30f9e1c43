package io.capnet.codec;

/**
 * Strict UTF-8: rejects overlong forms, surrogates (U+D800-U+DFFF), code points past U+10FFFF
 * and truncated sequences, so that every decoded String is well-formed Unicode.
 */
final class WellFormedUtf8 {
  private WellFormedUtf8() {}

  /**
   * Decodes {@code b[off, off+len)}.
   *
   * @param base the stream offset of {@code b[off]}, so that an error names the bad byte's
   *     offset
   */
  static String decode(byte[] b, int off, int len, long base, String what) throws DecodeException {
    int end = off + len;
    int i = off;
    // ASCII fast path: most CapTP strings and symbols are ASCII.
    while (i < end && b[i] >= 0) i++;
    if (i == end) {
      return new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    char[] out = new char[len];
    int o = 0;
    for (int k = off; k < i; k++) out[o++] = (char) b[k];
    while (i < end) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        out[o++] = (char) c;
        i++;
        continue;
      }
      int need;
      int cp;
      int min;
      if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
        cp = c & 0x1f;
        min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        cp = c & 0x0f;
        min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        cp = c & 0x07;
        min = 0x10000;
      } else {
        throw bad(base + (i - off), what, String.format("byte 0x%02x cannot start a UTF-8 sequence", c));
      }
      if (i + need >= end) {
        throw bad(base + (i - off), what, "UTF-8 sequence truncated by the end of the " + what);
      }
      for (int k = 1; k <= need; k++) {
        int cc = b[i + k] & 0xff;
        if ((cc & 0xc0) != 0x80) {
          throw bad(base + (i - off), what, String.format("byte 0x%02x is not a UTF-8 continuation byte", cc));
        }
        cp = (cp << 6) | (cc & 0x3f);
      }
      if (cp < min) throw bad(base + (i - off), what, "overlong UTF-8 encoding");
      if (cp >= 0xd800 && cp <= 0xdfff) throw bad(base + (i - off), what, String.format("UTF-8 encodes the surrogate U+%04X", cp));
      if (cp > 0x10ffff) throw bad(base + (i - off), what, "UTF-8 code point beyond U+10FFFF");
      if (cp >= 0x10000) {
        out[o++] = Character.highSurrogate(cp);
        out[o++] = Character.lowSurrogate(cp);
      } else {
        out[o++] = (char) cp;
      }
      i += need + 1;
    }
    return new String(out, 0, o);
  }

  private static DecodeException bad(long offset, String what, String detail) {
    return new DecodeException(DecodeException.Rule.INVALID_UTF8, offset, "invalid UTF-8 in " + what + ": " + detail);
  }

  /** The UTF-8 length of {@code s}, or -1 when it holds an unpaired surrogate. */
  static int encodedLength(String s) {
    int n = s.length();
    int len = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) continue;
      if (c < 0x800) {
        len += 1;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          len += 2; // 4 bytes for 2 chars
          i++;
        } else {
          return -1;
        }
      } else if (Character.isLowSurrogate(c)) {
        return -1;
      } else {
        len += 2;
      }
    }
    return len;
  }

  /** Writes the UTF-8 of a well-formed {@code s} into {@code out} at {@code pos}; returns the end. */
  static int encode(String s, byte[] out, int pos) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out[pos++] = (byte) c;
      } else if (c < 0x800) {
        out[pos++] = (byte) (0xc0 | (c >> 6));
        out[pos++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c)) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out[pos++] = (byte) (0xf0 | (cp >> 18));
        out[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        out[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        out[pos++] = (byte) (0x80 | (cp & 0x3f));
      } else {
        out[pos++] = (byte) (0xe0 | (c >> 12));
        out[pos++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        out[pos++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    return pos;
  }
}
