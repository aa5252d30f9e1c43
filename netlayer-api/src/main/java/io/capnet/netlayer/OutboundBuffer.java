package io.capnet.netlayer;

import java.nio.ByteBuffer;

/**
 * The bytes queued for one connection, in one growable buffer. A connection with nothing queued
 * holds no buffer at all, so idle connections cost no memory here. Loop-confined.
 */
public final class OutboundBuffer {
  private static final int FIRST = 4 * 1024;
  private ByteBuffer buf; // [0, position) queued, in fill mode; null when empty
  private long appended; // stream offset after the last byte appended

  /** Stream offset after the last byte queued (everything ever appended). */
  public long appended() {
    return appended;
  }

  /** Bytes queued and not yet written. */
  public int size() {
    return buf == null ? 0 : buf.position();
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  /** Room for {@code n} more bytes; returns the buffer to {@code put} them into. */
  public ByteBuffer reserve(int n) {
    if (buf == null) {
      buf = ByteBuffer.allocate(Math.max(FIRST, n));
    } else if (buf.remaining() < n) {
      long want = Math.max((long) buf.position() + n, 2L * buf.capacity());
      if (want > Integer.MAX_VALUE - 16) throw new IllegalStateException("outbound buffer over 2 GiB");
      ByteBuffer g = ByteBuffer.allocate((int) want);
      buf.flip();
      g.put(buf);
      buf = g;
    }
    appended += n;
    return buf;
  }

  /** Appends {@code b[off, off+len)}. */
  public void put(byte[] b, int off, int len) {
    reserve(len).put(b, off, len);
  }

  /**
   * Writes at most {@code max} queued bytes with {@code writer}, which returns how many it took.
   *
   * @return the bytes written
   */
  public int writeTo(Writer writer, long max) throws java.io.IOException {
    if (buf == null || buf.position() == 0) return 0;
    buf.flip();
    int limit = buf.limit();
    if (buf.remaining() > max) buf.limit(buf.position() + (int) max);
    int n;
    try {
      n = writer.write(buf);
    } finally {
      buf.limit(limit);
      if (buf.hasRemaining()) buf.compact();
      else buf = null; // drained: let an idle connection hold nothing
    }
    return n;
  }

  /** Drops everything queued. */
  public void clear() {
    buf = null;
  }

  /** One write to the transport. */
  @FunctionalInterface
  public interface Writer {
    int write(ByteBuffer src) throws java.io.IOException;
  }
}
