package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.value.Descriptor;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * An ordered, bidirectional stream of CapTP messages with one remote peer.
 *
 * <p>Threading: one thread reads ({@link #receive()}) while another writes ({@link #send} and
 * {@link #flush()}); {@link #close()} may be called from any thread and unblocks both.
 */
public interface Connection extends Closeable {
  /** The codec every message on this connection is written in. */
  Codec codec();

  /**
   * Blocks for the next message, decoded with {@link #codec()} and its limits. Descriptors that
   * arrived with the frame are claimed by the Descriptor values in it; unclaimed ones are closed.
   *
   * @return the message, or {@code null} when the peer closed the stream between messages
   * @throws io.capnet.codec.DecodeException for a malformed message or a broken limit
   * @throws IOException for a transport failure or a stream that ends inside a message
   */
  Object receive() throws IOException;

  /**
   * Writes one message already encoded with {@link #codec()}, with the descriptors its
   * Descriptor values refer to by slot. May buffer until {@link #flush()}.
   *
   * @throws IOException on a transport failure, or if {@code descriptors} is not empty and the
   *     connection cannot carry them
   */
  void send(byte[] message, List<Descriptor> descriptors) throws IOException;

  void flush() throws IOException;

  boolean supports(NetlayerCapability capability);

  /**
   * The remote peer's designator when the transport proved it (see
   * {@link NetlayerCapability#AUTHENTICATED_PEER}); empty otherwise.
   */
  default Optional<String> authenticatedDesignator() {
    return Optional.empty();
  }

  /**
   * The kernel's word on the process at the other end, for a local socket that has it; empty
   * otherwise (and for every network transport).
   */
  default Optional<PeerCredentials> peerCredentials() {
    return Optional.empty();
  }

  /** A short description for logs and errors, e.g. {@code "tcp 127.0.0.1:40112"}. */
  String description();

  /**
   * Moves this connection onto {@code loop}: from now on its frames go to {@code receiver} in
   * the loop, and it is written through the returned {@link Link}; {@link #receive()},
   * {@link #send} and {@link #flush()} are no longer used. Call once, from the loop, before any
   * {@code receive()}.
   *
   * <p>Netlayers over non-blocking channels do their I/O in the loop itself. This default, for
   * connections that can only block, reads and writes on two threads of their own that hand
   * over to the loop ({@link ThreadedLink}).
   */
  default Link attach(EventLoop loop, Link.Receiver receiver) throws IOException {
    return new ThreadedLink(this, loop, receiver);
  }
}
