package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeLimits;
import io.capnet.unix.UnixLimits;
import io.capnet.unix.UnixTestConnections;

/** The whole connection contract over a real AF_UNIX socket pair, in CBOR. */
class UnixConnectionContractTest extends ConnectionContractTest {
  @Override
  protected Pair open(DecodeLimits limits) throws Exception {
    Connection[] c = UnixTestConnections.pair(Codec.cbor(limits), UnixLimits.DEFAULT, Integer.MAX_VALUE, Integer.MAX_VALUE);
    return new Pair(c[0], c[1], () -> {});
  }
}
