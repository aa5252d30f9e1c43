package io.capnet.netlayer;

import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;

/** The frame boundaries of Capnet's framings, for {@link FrameReader}. */
public final class Framers {
  private Framers() {}

  /**
   * A 4-byte big-endian length, then {@code extraHeader} more header bytes (the unix netlayer's
   * fd count), then the message. Refuses a length over {@code maxMessageBytes} or of zero before
   * anything is allocated for it.
   */
  public static FrameReader.Framer lengthPrefixed(int extraHeader, long maxMessageBytes) {
    int header = 4 + extraHeader;
    return (b, off, avail, at) -> {
      if (avail < header) return -1;
      long n = ((b[off] & 0xffL) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
      if (n > maxMessageBytes) {
        throw new DecodeException(Rule.VALUE_TOO_LARGE, at, "frame declares " + n + " bytes, over maxValueBytes "
            + maxMessageBytes);
      }
      if (n == 0) throw new DecodeException(Rule.MALFORMED_VALUE, at, "frame declares 0 bytes");
      return header + n;
    };
  }

  /**
   * Bare Syrup values back to back: finds where a value ends without decoding it, resuming
   * where the last call stopped. Bytes that cannot start or continue a value end the value
   * there, so the decoder sees them and names the rule they break. Whitespace between values is
   * cut with the value that follows it.
   */
  public static FrameReader.Framer bareSyrup(int maxDepth) {
    return new SyrupScanner(maxDepth);
  }

  private static final class SyrupScanner implements FrameReader.Framer {
    private final int maxDepth;
    private int scanned; // bytes of the frame scanned so far
    private int depth;
    private boolean started;
    private long skip; // bytes of a byte string still to pass over

    SyrupScanner(int maxDepth) {
      this.maxDepth = maxDepth;
    }

    @Override
    public void reset() {
      scanned = 0;
      depth = 0;
      started = false;
      skip = 0;
    }

    @Override
    public long frameLength(byte[] b, int off, int avail, long at) {
      int i = scanned;
      while (true) {
        if (skip > 0) {
          long take = Math.min(skip, avail - i);
          i += (int) take;
          skip -= take;
          if (skip > 0) break;
          if (depth == 0) return i;
          continue;
        }
        if (i >= avail) break;
        int c = b[off + i] & 0xff;
        if (!started && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
          i++;
          continue;
        }
        started = true;
        switch (c) {
          case 't', 'f' -> i++;
          case 'D', 'F' -> {
            int width = c == 'D' ? 8 : 4;
            i++;
            skip = width;
            continue;
          }
          case '[', '{', '<' -> {
            i++;
            depth++;
            if (depth > maxDepth + 1) return i; // the decoder names the depth rule
            continue;
          }
          case ']', '}', '>' -> {
            i++;
            depth--;
            if (depth < 0) return i;
          }
          case ' ', '\t', '\r', '\n' -> {
            i++;
            continue;
          }
          default -> {
            if (c < '0' || c > '9') return i + 1; // not Syrup: the decoder names the byte
            int j = i;
            long n = 0;
            while (j < avail && b[off + j] >= '0' && b[off + j] <= '9' && j - i < 19) {
              n = n * 10 + (b[off + j] - '0');
              j++;
            }
            if (j - i >= 19) return j; // too many digits: the decoder names the rule
            if (j >= avail) {
              scanned = i;
              return -1;
            }
            int kind = b[off + j];
            j++;
            if (kind == ':' || kind == '"' || kind == '\'') {
              i = j;
              skip = n;
              if (n == 0 && depth == 0) return i;
              continue;
            }
            i = j;
            if (kind != '+' && kind != '-') return i; // the decoder names the byte
          }
        }
        if (depth == 0) return i;
      }
      scanned = i;
      return -1;
    }
  }
}
