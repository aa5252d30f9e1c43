package io.capnet.netlayer;

import io.capnet.value.Descriptor;
import java.io.IOException;
import java.util.List;

/**
 * A {@link Connection} moved onto an {@link EventLoop} ({@link Connection#attach}): frames arrive
 * at a {@link Receiver} on the loop's thread, and {@link #send} queues without blocking. Every
 * method is called from the loop.
 */
public interface Link {
  /**
   * Queues one encoded message; it is written when the socket takes it, after everything queued
   * before it. The link owns {@code descriptors} from here on: it closes each once its frame is
   * written, or when the link closes first. A failure to write is reported to the receiver's
   * {@link Receiver#ended}, never thrown here.
   */
  void send(byte[] message, List<Descriptor> descriptors);

  /** Encoded bytes queued and not yet taken by the transport. */
  long queuedBytes();

  /** Stops (false) or resumes (true) reading: back-pressure for a receiver with too much to do. */
  void reading(boolean on);

  /**
   * Writes what is queued, then closes, without waiting longer than {@code lingerMillis}. Input
   * that arrives meanwhile is read and dropped (so the kernel does not reset the connection and
   * lose the last frame); the receiver hears nothing more.
   */
  void closeAfterFlush(long lingerMillis);

  /** Closes at once, dropping what is queued and closing its descriptors. Idempotent. */
  void close();

  /**
   * The peer's {@code op:start-session} has been accepted: frames may now be as large as the
   * codec allows. Until then a link on the loop bounds them to {@link ChannelLink#PRE_START_FRAME_BYTES}.
   */
  default void sessionStarted() {}

  /** False once closed, by {@link #close()} or at the end of {@link #closeAfterFlush}. */
  boolean isOpen();

  /** Where a link delivers, on the loop's thread. */
  interface Receiver {
    /** One whole decoded message. Descriptors in it belong to the receiver. */
    void received(Object message);

    /**
     * The link ended: {@code cause} is null when the peer closed cleanly between frames, a
     * {@link io.capnet.codec.DecodeException} for a bad frame, or else the transport's failure,
     * whose message says what failed ({@code "connection lost: ..."}, {@code "could not write
     * to the peer: ..."}). Called
     * at most once, and not after {@link #close()} or {@link #closeAfterFlush}.
     */
    void ended(IOException cause);
  }
}
