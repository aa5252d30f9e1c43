package io.capnet.unix;

import io.capnet.netlayer.PeerCredentials;
import io.capnet.value.Descriptor;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * An introduction-protocol socket (spec/uds.md section 2): uds: records back to back in Syrup,
 * and the SCM_RIGHTS message that follows each {@code uds:new-connection}. Blocking; one reader
 * thread, any number of writers (writes are serialized). Every write has a deadline: a peer that
 * does not read has its socket closed when a write takes longer.
 */
public interface UdsStream extends Closeable {
  /** A record as read: the message and its exact bytes (which an introduction forwards). */
  record Received(Uds.Message message, byte[] bytes) {}

  /** Something the peer sent that breaks spec/uds.md; the stream is then unusable. */
  final class ProtocolException extends IOException {
    public ProtocolException(String message) {
      super(message);
    }
  }

  /**
   * The next record, or null at a clean end of stream. After a {@link Uds.NewConnection} the
   * caller must call {@link #readDescriptor()} before reading on.
   *
   * @throws ProtocolException for a malformed record, one over {@link Uds#MAX_RECORD_BYTES},
   *     an end of stream inside one, and descriptors anywhere but after a {@code uds:new-connection}
   */
  Received read() throws IOException;

  /**
   * The one descriptor of the SCM_RIGHTS message after the {@code uds:new-connection} just
   * read; its body is skipped. The caller owns the descriptor.
   *
   * @throws ProtocolException for no descriptor within {@link #MAX_BODY_BYTES} bytes, or more than one
   */
  Descriptor readDescriptor() throws IOException;

  /** The most body bytes of an SCM_RIGHTS message (maxUdsBodyBytes). */
  int MAX_BODY_BYTES = 16;

  /** Writes {@code m} in this stream's signature form. */
  void write(Uds.Message m) throws IOException;

  /**
   * Writes the {@code uds:new-connection} record {@code record}, then the SCM_RIGHTS message: a
   * one-byte body {@code 00} carrying {@code socket}. The caller still owns {@code socket}.
   */
  void writeIntroduction(byte[] record, Descriptor socket) throws IOException;

  /** Writes {@code <uds:abort reason>} if it can within the write deadline, then closes. */
  void abort(String reason);

  Optional<PeerCredentials> peerCredentials();

  String description();

  /** Closes the socket (waking a blocked reader) and every descriptor received and not handed out. */
  @Override
  void close();

  /**
   * A stream over {@code socket}, which it owns from now on.
   *
   * @param timer runs write deadlines
   */
  static UdsStream over(UnixSocket socket, Uds.SignatureForm form, ScheduledExecutorService timer,
      Duration writeDeadline, String description) {
    return new UdsSocket(socket, null, form, timer, writeDeadline, description);
  }

  /** As {@link #over}, for a socket whose first byte (and its descriptors) the caller read. */
  static UdsStream afterFirstByte(UnixSocket socket, UnixSockets.FirstByte first, Uds.SignatureForm form,
      ScheduledExecutorService timer, Duration writeDeadline, String description) {
    if (first.value() < 0) throw new IllegalArgumentException("the stream had ended");
    return new UdsSocket(socket, first, form, timer, writeDeadline, description);
  }
}
