package io.capnet.unix;

import io.capnet.codec.Codec;
import io.capnet.netlayer.Connection;
import java.io.IOException;
import java.net.StandardSocketOptions;

/** Test access to the connection's package-private knobs, for tests in other packages. */
public final class UnixTestConnections {
  private UnixTestConnections() {}

  /**
   * Two connections over the two ends of a fresh {@link UnixSockets#pair()}.
   *
   * @param readChunk the most bytes one read asks for (1: one byte at a time)
   * @param writeChunk the most bytes one write hands the socket
   */
  public static Connection[] pair(Codec codec, UnixLimits limits, int readChunk, int writeChunk)
      throws IOException {
    UnixSockets.Pair p = UnixSockets.pair();
    UnixSocket first = UnixSockets.channel(p.first());
    UnixSocket second = UnixSockets.channel(p.second());
    if (writeChunk < 64) {
      // Every small write is a segment of its own, with a few hundred bytes of kernel overhead:
      // raise the send buffers so that a test writing before it reads still fits.
      for (UnixSocket s : new UnixSocket[] {first, second}) {
        s.channel().setOption(StandardSocketOptions.SO_SNDBUF, 8 << 20);
      }
    }
    Connection a = new UnixConnection(first, limits, codec, "unix a", true, readChunk, writeChunk);
    Connection b = new UnixConnection(second, limits, codec, "unix b", true, readChunk, writeChunk);
    return new Connection[] {a, b};
  }

  /**
   * Makes junixsocket open what it keeps open for the life of the JVM (on first use it opens one
   * socket it never closes), so that tests counting descriptors can take their baseline after.
   */
  public static void warmUp() throws IOException {
    UnixSockets.pair().close();
  }

  /** A connection that keeps junixsocket's public 256-byte (60-descriptor) receive buffer. */
  public static Connection withNarrowAncillaryBuffer(UnixSocket socket, UnixLimits limits, Codec codec) {
    return new UnixConnection(socket, limits, codec, "unix narrow", false, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }
}
