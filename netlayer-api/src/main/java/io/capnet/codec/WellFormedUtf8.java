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
   * @param base the stream offset of {@code b[off]}, so that an error names the offset of the
   *     first byte of the bad sequence
   */
  static String decode(byte[] b, int off, int len, long base, String what) throws DecodeException {
    int bad = firstInvalid(b, off, off + len);
    if (bad >= 0) {
      throw bad(base + (bad - off), what,
          String.format("ill-formed sequence starting 0x%02x (overlong, surrogate, beyond U+10FFFF, or cut off)", b[bad] & 0xff));
    }
    return new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * The index of the first byte of the first ill-formed sequence in {@code b[from, to)}, or
   * -1. Strict UTF-8 (RFC 3629): no overlong forms, no encoded surrogates, nothing above
   * U+10FFFF, no sequence cut off at {@code to}.
   */
  static int firstInvalid(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      c &= 0xff;
      if (c < 0xc2) return i; // continuation byte or overlong 2-byte lead
      if (c < 0xe0) {
        if (i + 1 >= to || (b[i + 1] & 0xc0) != 0x80) return i;
        i += 2;
      } else if (c < 0xf0) {
        if (i + 2 >= to) return i;
        int c1 = b[i + 1] & 0xff;
        if ((c1 & 0xc0) != 0x80 || (b[i + 2] & 0xc0) != 0x80) return i;
        if (c == 0xe0 && c1 < 0xa0) return i; // overlong
        if (c == 0xed && c1 >= 0xa0) return i; // surrogate
        i += 3;
      } else if (c < 0xf5) {
        if (i + 3 >= to) return i;
        int c1 = b[i + 1] & 0xff;
        if ((c1 & 0xc0) != 0x80 || (b[i + 2] & 0xc0) != 0x80 || (b[i + 3] & 0xc0) != 0x80) {
          return i;
        }
        if (c == 0xf0 && c1 < 0x90) return i; // overlong
        if (c == 0xf4 && c1 >= 0x90) return i; // above U+10FFFF
        i += 4;
      } else {
        return i;
      }
    }
    return -1;
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
