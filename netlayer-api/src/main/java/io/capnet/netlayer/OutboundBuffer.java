package io.capnet.netlayer;

import java.nio.ByteBuffer;

/**
 * The bytes queued for one connection, in one growable buffer. A connection with nothing queued
 * holds no buffer at all, so idle connections cost no memory here. Written bytes are dropped
 * from the front only once they make up half the buffer, so draining a large queue in the
 * socket's small pieces copies it a bounded number of times, not once per write. Loop-confined.
 */
public final class OutboundBuffer {
  private static final int FIRST = 4 * 1024;
  private ByteBuffer buf; // queued bytes are [head, position); null when empty
  private int head;
  private long appended; // stream offset after the last byte appended

  /** Stream offset after the last byte queued (everything ever appended). */
  public long appended() {
    return appended;
  }

  /** Bytes queued and not yet written. */
  public int size() {
    return buf == null ? 0 : buf.position() - head;
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  /** Room for {@code n} more bytes; returns the buffer to {@code put} them into. */
  public ByteBuffer reserve(int n) {
    if (buf == null) {
      buf = ByteBuffer.allocate(Math.max(FIRST, n));
      head = 0;
    } else if (buf.remaining() < n) {
      int size = size();
      buf.limit(buf.position()).position(head);
      if (head >= buf.capacity() / 2 && (long) size + n <= buf.capacity()) {
        buf.compact(); // the written half is free again: the queued bytes move to the front
      } else {
        long want = Math.max((long) size + n, 2L * buf.capacity());
        if (want > Integer.MAX_VALUE - 16) throw new IllegalStateException("outbound buffer over 2 GiB");
        ByteBuffer next = ByteBuffer.allocate((int) want);
        next.put(buf);
        buf = next;
      }
      head = 0;
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
    if (buf == null || size() == 0) return 0;
    ByteBuffer view = buf.duplicate();
    view.limit(buf.position()).position(head);
    if (view.remaining() > max) view.limit(head + (int) max);
    int n = writer.write(view);
    head += n;
    if (head == buf.position()) {
      buf = null; // drained: let an idle connection hold nothing
      head = 0;
    }
    return n;
  }

  /** Drops everything queued. */
  public void clear() {
    buf = null;
    head = 0;
  }

  /** One write to the transport. */
  @FunctionalInterface
  public interface Writer {
    int write(ByteBuffer src) throws java.io.IOException;
  }
}
