package io.capnet.netlayer;

import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Cuts frames out of what a non-blocking read returns. Each read goes into one large buffer
 * shared by every connection of the loop's thread, so an idle connection holds no buffer; only
 * the start of an unfinished frame is kept, in a buffer of the connection's own that grows with
 * the bytes that really arrive (never to a declared length at once). Loop-confined.
 */
public final class FrameReader {
  static final int SHARED_BYTES = 64 * 1024;
  private static final int FIRST_PENDING = 4 * 1024;
  private static final ThreadLocal<ByteBuffer> SHARED = ThreadLocal.withInitial(() -> ByteBuffer.allocate(SHARED_BYTES));

  /** Where a frame ends. */
  public interface Framer {
    /**
     * The whole length of the frame that starts at {@code b[off]}, header included, once it is
     * known (it may be more than {@code avail}); -1 while more bytes are needed to tell.
     *
     * @param streamOffset the frame's offset in the stream, for errors
     * @throws DecodeException for a frame that can never be valid (too long, bad header)
     */
    long frameLength(byte[] b, int off, int avail, long streamOffset) throws DecodeException;

    /** Forgets what it learnt of the frame just cut. */
    default void reset() {}
  }

  /** One read from the transport. */
  @FunctionalInterface
  public interface Source {
    int read(ByteBuffer dst) throws IOException;
  }

  /** Takes one whole frame; returns false to stop cutting (the link closed). */
  @FunctionalInterface
  public interface Sink {
    boolean frame(byte[] b, int off, int len, long streamOffset) throws IOException;
  }

  private final Framer framer;
  private final long fullMaxFrameBytes;
  private long maxFrameBytes; // smaller until the session has started: see limitUntilStarted
  private String limitName = "the limit";
  private ByteBuffer pending; // the start of an unfinished frame in [0, position), or null
  private long pendingLength = -1; // its whole length once known
  private long consumed; // stream offset of the first byte not yet cut

  public FrameReader(Framer framer, long maxFrameBytes) {
    this.framer = framer;
    this.fullMaxFrameBytes = maxFrameBytes;
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Bounds frames to {@code bytes} until {@link #started()}: before a peer has said who it is,
   * one frame may cost us no more than an {@code op:start-session} needs.
   */
  public void limitUntilStarted(long bytes) {
    maxFrameBytes = Math.min(fullMaxFrameBytes, bytes);
    limitName = "the limit before op:start-session";
  }

  /** The session has started: frames may be as large as the codec's limit. */
  public void started() {
    maxFrameBytes = fullMaxFrameBytes;
    limitName = "the limit";
  }

  /** Stream offset where the next frame starts. */
  public long consumed() {
    return consumed;
  }

  /** Byte {@code i} of the unfinished frame held, or -1 if fewer than {@code i + 1} are held. */
  public int pendingByte(int i) {
    return pending == null || i >= pending.position() ? -1 : pending.get(i) & 0xff;
  }

  /** Bytes of an unfinished frame held. */
  public int pendingBytes() {
    return pending == null ? 0 : pending.position();
  }

  /**
   * Reads once from {@code source} and hands each whole frame to {@code sink}.
   *
   * @return the bytes read, 0 if none were ready, -1 at end of stream
   * @throws DecodeException (TRUNCATED) for a stream that ends inside a frame
   */
  public int readOnce(Source source, Sink sink) throws IOException {
    ByteBuffer buf;
    if (pending == null) {
      buf = SHARED.get();
      buf.clear();
    } else {
      if (!pending.hasRemaining()) pending = grow(pending);
      buf = pending;
    }
    int n = source.read(buf);
    if (n < 0) {
      if (pending != null && pending.position() > 0) {
        throw new DecodeException(Rule.TRUNCATED, consumed, "stream ended after " + pending.position()
            + (pendingLength > 0 ? " of the " + pendingLength : "") + " bytes of a frame");
      }
      return -1;
    }
    if (n > 0) cut(buf, sink);
    return n;
  }

  private void cut(ByteBuffer buf, Sink sink) throws IOException {
    byte[] a = buf.array();
    int end = buf.position();
    int off = 0;
    boolean more = true;
    while (more && off < end) {
      long len = framer.frameLength(a, off, end - off, consumed);
      if (len > maxFrameBytes) {
        throw new DecodeException(Rule.VALUE_TOO_LARGE, consumed, "frame of " + len
            + " bytes, over " + limitName + " of " + maxFrameBytes);
      }
      if (len < 0 || len > end - off) {
        pendingLength = len;
        break;
      }
      framer.reset();
      pendingLength = -1;
      int start = off;
      off += (int) len;
      consumed += len;
      more = sink.frame(a, start, (int) len, consumed - len);
    }
    int left = end - off;
    if (!more || left == 0) {
      pending = null;
      return;
    }
    if (buf == pending && off == 0) return; // still filling the same frame
    int size = (int) Math.min(maxFrameBytes, Math.max(FIRST_PENDING, 2L * left));
    if (pendingLength > 0) size = (int) Math.min(pendingLength, Math.max(size, left));
    ByteBuffer next = ByteBuffer.allocate(Math.max(size, left));
    next.put(a, off, left);
    pending = next;
  }

  private ByteBuffer grow(ByteBuffer b) throws DecodeException {
    long want = Math.min(maxFrameBytes, 2L * b.capacity());
    if (pendingLength > 0) want = Math.min(want, pendingLength);
    if (want <= b.capacity()) {
      throw new DecodeException(Rule.VALUE_TOO_LARGE, consumed, "frame of over " + b.capacity()
          + " bytes, over " + limitName + " of " + maxFrameBytes);
    }
    ByteBuffer g = ByteBuffer.allocate((int) want);
    b.flip();
    g.put(b);
    return g;
  }
}
