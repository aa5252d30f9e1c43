package io.capnet.netlayer;

import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import java.nio.charset.StandardCharsets;

/**
 * The frames of one {@code tcp-testing-only} connection in its {@link SyrupFraming}. A dialler's is
 * fixed from the start; a listener's is sniffed:
 *
 * <pre>
 *   first byte '<' or whitespace -> BARE_SYRUP
 *   first byte a digit           -> "53:" + 53 bytes, then look at the byte after them:
 *                                     ','    -> NETSTRING (the comma is cut as a frame of its own)
 *                                     a digit -> LENGTH_PREFIXED
 *   anything else                -> unexpected-byte, naming the framings expected
 * </pre>
 *
 * Until it is known, {@link #framing()} is null and the link holds what it would send. A
 * length-prefixed peer may send nothing more until it hears from us, so {@link #settle()} lets the
 * link decide LENGTH_PREFIXED once {@link #SNIFF_MILLIS} pass with the byte after the first
 * message still missing. Reads on one thread; {@link #framing()} and {@link #settle()} from any.
 */
final class SyrupFramer implements FrameReader.Framer {
  /** How long a listener waits for the byte after a peer's first decimal-framed message. */
  static final long SNIFF_MILLIS = 20;
  // A length over 16 MiB needs 8 digits; 10 covers every int, so more is never a length.
  private static final int MAX_DIGITS = 10;

  private enum State { SNIFF, BARE, FIRST, COMMA_OR_LENGTH, LENGTH_PREFIXED, NETSTRING }

  private final long maxMessageBytes;
  private final FrameReader.Framer bare;
  private State state;
  private SyrupFraming framing; // guarded by this
  private Runnable onKnown;
  private boolean abandoned; // guarded by this
  private long firstCutAt; // System.nanoTime() when a listener cut the first decimal-framed message
  private int header; // of the frame last measured
  private int trailer;
  private boolean separator; // the frame last measured is a netstring's lone ','

  private SyrupFramer(SyrupFraming fixed, long maxMessageBytes, int maxDepth) {
    this.maxMessageBytes = maxMessageBytes;
    this.bare = Framers.bareSyrup(maxDepth);
    this.framing = fixed;
    this.state = fixed == null ? State.SNIFF : switch (fixed) {
      case BARE_SYRUP -> State.BARE;
      case LENGTH_PREFIXED -> State.LENGTH_PREFIXED;
      case NETSTRING -> State.NETSTRING;
    };
  }

  static SyrupFramer dialling(SyrupFraming framing, long maxMessageBytes, int maxDepth) {
    return new SyrupFramer(java.util.Objects.requireNonNull(framing, "framing"), maxMessageBytes, maxDepth);
  }

  static SyrupFramer listening(long maxMessageBytes, int maxDepth) {
    return new SyrupFramer(null, maxMessageBytes, maxDepth);
  }

  /** The framing to answer in, or null while the peer has not shown it. */
  synchronized SyrupFraming framing() {
    return framing;
  }

  /** Runs {@code task} once the framing is known (at once if it is). */
  synchronized void whenKnown(Runnable task) {
    if (framing != null) task.run();
    else onKnown = task;
  }

  /**
   * Waits until the framing is known, or null once {@link #abandon()} was called; a listener past
   * its first message settles on length-prefixed.
   */
  synchronized SyrupFraming awaitFraming() throws InterruptedException {
    while (framing == null && !abandoned) {
      wait(SNIFF_MILLIS);
      settle();
    }
    return framing;
  }

  /** The connection closed: wakes whoever waits for the framing. */
  synchronized void abandon() {
    abandoned = true;
    notifyAll();
  }

  /**
   * Decides LENGTH_PREFIXED if the first message arrived in decimal form at least {@link
   * #SNIFF_MILLIS} ago and the byte after it has not; returns whether the framing is known.
   */
  synchronized boolean settle() {
    if (framing == null && state == State.COMMA_OR_LENGTH
        && System.nanoTime() - firstCutAt >= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(SNIFF_MILLIS)) {
      known(SyrupFraming.LENGTH_PREFIXED);
      state = State.LENGTH_PREFIXED;
    }
    return framing != null;
  }

  /** As {@link #settle()}, without the wait: for a last message before closing. */
  synchronized void settleNow() {
    if (framing == null && state == State.COMMA_OR_LENGTH) {
      known(SyrupFraming.LENGTH_PREFIXED);
      state = State.LENGTH_PREFIXED;
    }
  }

  /** Whether the first message has been cut but the framing is not yet known. */
  synchronized boolean awaitingSeparator() {
    return framing == null && state == State.COMMA_OR_LENGTH;
  }

  private void known(SyrupFraming f) {
    Runnable task;
    synchronized (this) {
      if (framing != null) return;
      framing = f;
      task = onKnown;
      onKnown = null;
      notifyAll();
    }
    if (task != null) task.run();
  }

  @Override
  public long frameLength(byte[] b, int off, int avail, long at) throws DecodeException {
    separator = false;
    State s;
    synchronized (this) {
      s = state;
    }
    switch (s) {
      case SNIFF -> {
        if (avail == 0) return -1;
        int c = b[off] & 0xff;
        if (c == '<' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
          known(SyrupFraming.BARE_SYRUP);
          synchronized (this) {
            state = State.BARE;
          }
          return bare.frameLength(b, off, avail, at);
        }
        if (c < '0' || c > '9') {
          throw new DecodeException(Rule.UNEXPECTED_BYTE, at, "a tcp-testing-only connection starts with '<' (bare"
              + " Syrup) or a digit (a length-prefixed or netstring message), got " + describe(c));
        }
        synchronized (this) {
          state = State.FIRST;
        }
        return first(b, off, avail, at);
      }
      case BARE -> {
        return bare.frameLength(b, off, avail, at);
      }
      case FIRST -> {
        return first(b, off, avail, at);
      }
      case COMMA_OR_LENGTH -> {
        if (avail == 0) return -1;
        if (b[off] == ',' && framing() != SyrupFraming.LENGTH_PREFIXED) {
          known(SyrupFraming.NETSTRING);
          synchronized (this) {
            state = State.NETSTRING;
          }
          separator = true;
          return 1;
        }
        known(SyrupFraming.LENGTH_PREFIXED);
        synchronized (this) {
          state = State.LENGTH_PREFIXED;
        }
        return decimal(b, off, avail, at, SyrupFraming.LENGTH_PREFIXED.description(), 0);
      }
      case LENGTH_PREFIXED -> {
        return decimal(b, off, avail, at, SyrupFraming.LENGTH_PREFIXED.description(), 0);
      }
      default -> {
        return decimal(b, off, avail, at, SyrupFraming.NETSTRING.description(), 1);
      }
    }
  }

  // The byte after the first message tells the framing; when it came in the same read, it is
  // known before the message is handled (whose answer, or abort, must go out framed).
  private long first(byte[] b, int off, int avail, long at) throws DecodeException {
    long len = decimal(b, off, avail, at, "length-prefixed or netstring", 0);
    if (len > 0 && avail > len) {
      known(b[off + (int) len] == ',' ? SyrupFraming.NETSTRING : SyrupFraming.LENGTH_PREFIXED);
    }
    return len;
  }

  // A declared length is checked digit by digit, so nothing is allocated for one over the limit.
  private long decimal(byte[] b, int off, int avail, long at, String expected, int trailerBytes)
      throws DecodeException {
    long n = 0;
    int i = 0;
    while (true) {
      if (i >= avail) return -1;
      int c = b[off + i] & 0xff;
      if (c == ':' && i > 0) break;
      if (c < '0' || c > '9' || i == MAX_DIGITS) {
        throw new DecodeException(Rule.UNEXPECTED_BYTE, at + i, expected + " framing expects a decimal length"
            + " and ':', got " + describe(c));
      }
      if (i == 0 && c == '0') {
        throw new DecodeException(Rule.MALFORMED_VALUE, at, expected + " framing: a message length cannot be 0"
            + " or start with 0");
      }
      n = n * 10 + (c - '0');
      if (n > maxMessageBytes) {
        throw new DecodeException(Rule.VALUE_TOO_LARGE, at, expected + " frame declares over " + maxMessageBytes
            + " bytes (maxValueBytes)");
      }
      i++;
    }
    header = i + 1;
    trailer = trailerBytes;
    return header + n + trailerBytes;
  }

  @Override
  public void reset() {
    bare.reset();
    synchronized (this) {
      if (state == State.FIRST) {
        state = State.COMMA_OR_LENGTH;
        firstCutAt = System.nanoTime();
      }
    }
  }

  /**
   * The message in the frame just cut, decoded; null for a netstring's lone ','. Checks that a
   * netstring's message ends with ','.
   */
  Object decode(io.capnet.codec.Codec codec, byte[] b, int off, int len, long at) throws DecodeException {
    if (separator) return null;
    if (bareStream()) {
      int ws = 0; // whitespace between bare values is cut with the value that follows it
      while (ws < len && (b[off + ws] == ' ' || b[off + ws] == '\t' || b[off + ws] == '\r' || b[off + ws] == '\n')) ws++;
      return codec.decode(b, off + ws, len - ws, io.capnet.codec.DecodeContext.NONE);
    }
    if (trailer == 1 && b[off + len - 1] != ',') {
      throw new DecodeException(Rule.UNEXPECTED_BYTE, at + len - 1, "netstring framing expects ',' after"
          + " the message, got " + describe(b[off + len - 1] & 0xff));
    }
    return codec.decode(b, off + header, len - header - trailer, io.capnet.codec.DecodeContext.NONE);
  }

  /** The most bytes one frame can take: the longest header, the message, a ','. */
  long maxFrameBytes() {
    return maxMessageBytes + MAX_DIGITS + 2;
  }

  private synchronized boolean bareStream() {
    return state == State.BARE;
  }

  /** What goes before a message of {@code n} bytes. */
  static byte[] prefix(SyrupFraming f, int n) {
    if (f == SyrupFraming.BARE_SYRUP) return new byte[0];
    if (n == 0) throw new IllegalArgumentException("an empty message cannot be framed");
    return (n + ":").getBytes(StandardCharsets.US_ASCII);
  }

  /** What goes after a message. */
  static int suffix(SyrupFraming f) {
    return f == SyrupFraming.NETSTRING ? 1 : 0;
  }

  private static String describe(int c) {
    return c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
  }
}
