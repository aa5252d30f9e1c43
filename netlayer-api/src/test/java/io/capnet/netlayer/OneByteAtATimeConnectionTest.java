package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeLimits;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Nested;

/**
 * The contract over a transport that moves one byte per read and per write, as okio's tests do:
 * every partial-read and partial-header path in the framings gets exercised.
 */
class OneByteAtATimeConnectionTest {
  /** Small, so a sender that nobody reads from blocks soon. */
  static final int PIPE_CAPACITY = 4096;

  interface Framing {
    Connection make(InputStream in, OutputStream out, java.io.Closeable close, DecodeLimits limits, String name);
  }

  static ConnectionContractTest.Pair pair(DecodeLimits limits, Framing framing) {
    BytePipe toServer = new BytePipe(PIPE_CAPACITY);
    BytePipe toClient = new BytePipe(PIPE_CAPACITY);
    // Closing one end: the peer reads end of stream, and our own blocked reader wakes.
    Connection client = framing.make(
        BytePipe.oneByteAtATime(toClient.input()), BytePipe.oneByteAtATime(toServer.output()),
        () -> {
          toServer.closeWriter();
          toClient.closeReader();
        },
        limits, "one-byte client");
    Connection server = framing.make(
        BytePipe.oneByteAtATime(toServer.input()), BytePipe.oneByteAtATime(toClient.output()),
        () -> {
          toClient.closeWriter();
          toServer.closeReader();
        },
        limits, "one-byte server");
    return new ConnectionContractTest.Pair(client, server, () -> {});
  }

  @Nested
  class BareSyrup extends ConnectionContractTest {
    @Override
    protected Pair open(DecodeLimits limits) {
      return pair(limits, Connections::bareSyrup);
    }
  }

  @Nested
  class LengthPrefixed extends ConnectionContractTest {
    @Override
    protected Pair open(DecodeLimits limits) {
      return pair(limits, (in, out, close, l, name) ->
          Connections.lengthPrefixed(in, out, close, Codec.syrup(l), name));
    }
  }
}
