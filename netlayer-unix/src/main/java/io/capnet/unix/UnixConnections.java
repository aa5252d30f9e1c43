package io.capnet.unix;

import io.capnet.codec.Codec;
import io.capnet.netlayer.Connection;

/**
 * {@link Connection}s over AF_UNIX stream sockets that carry file descriptors beside their
 * frames ({@code spec/unix.md}).
 *
 * <p>Each frame is a 4-byte big-endian length, a 1-byte descriptor count, then the message;
 * its descriptors ride as SCM_RIGHTS on the write that carries the frame's first byte. The
 * connections {@link Connection#supports support} {@code DESCRIPTORS}, report the kernel's
 * {@link Connection#peerCredentials() peer credentials}, buffer writes (64 KiB) until
 * {@link Connection#flush()} except for frames with descriptors, which go out at once, and are
 * closed by closing the socket, which wakes a blocked reader or writer. After a local
 * {@link Connection#close()}, {@link Connection#receive()} returns {@code null}; {@code send}
 * and {@code flush} throw. {@code close()} does not flush.
 */
public final class UnixConnections {
  private UnixConnections() {}

  /**
   * A connection over {@code socket}, which it owns from now on: closing the connection
   * {@link UnixSocket#close() closes} the socket.
   *
   * <p>A declared length over {@code codec.limits().maxValueBytes()} is refused before anything
   * is allocated for it ({@code value-too-large}), a zero length is {@code malformed-value}, a
   * stream that ends inside a frame is {@code truncated}, and descriptors that do not match the
   * frames' declared counts, or a count over {@code limits.maxFdsPerFrame()}, are
   * {@code descriptor-slot}; these name the stream offset of the frame (or of the read the
   * stray descriptors came with). Errors inside a message name offsets from its start.
   *
   * @param socket a blocking, connected socket
   * @param codec the codec of every message, in practice {@code Codec.cbor(decodeLimits)}
   * @param description for logs and errors
   */
  public static Connection over(UnixSocket socket, UnixLimits limits, Codec codec, String description) {
    return new UnixConnection(socket, limits, codec, description, true, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /**
   * As {@link #over}, for a socket whose first byte the caller has already read, with no
   * descriptors (the Switchboard reads it to tell its protocol from the introduction protocol,
   * spec/uds.md): the connection reads that byte and its descriptors first, as if it had read
   * them itself, and stream offsets count it.
   */
  public static Connection overAfterFirstByte(UnixSocket socket, UnixLimits limits, Codec codec, String description,
      UnixSockets.FirstByte first) {
    if (first.value() < 0) throw new IllegalArgumentException("the stream had ended");
    UnixConnection c = new UnixConnection(socket, limits, codec, description, true, Integer.MAX_VALUE, Integer.MAX_VALUE);
    c.prefix = first;
    return c;
  }
}
