package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeLimits;
import io.capnet.netlayer.StreamConnection.Framing;
import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * {@link Connection}s over a pair of byte streams, for netlayers built on sockets, pipes or
 * anything else that moves bytes in order.
 *
 * <p>The connections returned here buffer writes (64 KiB) until {@link Connection#flush()}, carry
 * no file descriptors, and are closed by closing {@code resource}, which must unblock a thread
 * blocked reading {@code in} or writing {@code out} (a socket does). After a local
 * {@link Connection#close()}, {@link Connection#receive()} returns {@code null}, also in a thread
 * that was blocked in it; {@code send} and {@code flush} throw {@link java.io.IOException}.
 * {@code close()} does not flush.
 */
public final class Connections {
  private Connections() {}

  /**
   * Syrup values back to back with no framing, as the tcp-testing-only netlayer and the OCapN
   * test suite speak. Each received value is bounded by {@code limits}; {@code send} writes the
   * message bytes verbatim.
   *
   * @param resource closed by {@link Connection#close()}, e.g. the socket
   * @param description for logs and errors, e.g. {@code "tcp-testing-only 127.0.0.1:40112"}
   */
  public static Connection bareSyrup(
      InputStream in, OutputStream out, Closeable resource, DecodeLimits limits, String description) {
    return new StreamConnection(in, out, resource, Framing.BARE_SYRUP, Codec.syrup(limits), description);
  }

  /**
   * Bare Syrup over a connected socket channel, as the tcp-testing-only netlayer makes its
   * connections: it moves onto the vat's loop (the channel must suit the loop's selector) or is
   * read blocking. For OCapN peers that speak CapTP in bare Syrup over any stream socket, such as
   * the unix-domain-socket netlayer's socket pairs (spec/uds.md). Closing it closes
   * {@code resource}, which must close the channel (the channel itself, or what owns it).
   */
  public static Connection bareSyrup(java.nio.channels.SocketChannel channel, Closeable resource, DecodeLimits limits,
      String description) throws java.io.IOException {
    Codec codec = Codec.syrup(limits);
    return new StreamConnection(channel, resource, SyrupFramer.dialling(SyrupFraming.BARE_SYRUP,
        limits.maxValueBytes(), limits.maxDepth()), codec, description);
  }

  /**
   * Frames of a 4-byte big-endian unsigned length followed by one message in {@code codec}, as
   * Capnet's own netlayers speak. A declared length over {@code codec.limits().maxValueBytes()}
   * is refused before anything is allocated for it ({@code VALUE_TOO_LARGE}), a zero length is
   * {@code MALFORMED_VALUE}, and a stream that ends inside a frame is {@code TRUNCATED}; these
   * name the stream offset of the frame. Errors inside a message name offsets from its start.
   *
   * @param resource closed by {@link Connection#close()}, e.g. the socket
   * @param description for logs and errors
   */
  public static Connection lengthPrefixed(
      InputStream in, OutputStream out, Closeable resource, Codec codec, String description) {
    return new StreamConnection(in, out, resource, Framing.LENGTH_PREFIXED, codec, description);
  }
}
