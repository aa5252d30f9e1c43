package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeLimits;
import io.capnet.unix.UnixLimits;
import io.capnet.unix.UnixTestConnections;

/**
 * The contract over a real socket pair whose connections write one byte per sendmsg and read
 * one byte per recvmsg, so every partial-header and partial-body path runs against the kernel.
 */
class UnixOneByteAtATimeConnectionTest extends ConnectionContractTest {
  @Override
  protected Pair open(DecodeLimits limits) throws Exception {
    Connection[] c = UnixTestConnections.pair(Codec.cbor(limits), UnixLimits.DEFAULT, 1, 1);
    return new Pair(c[0], c[1], () -> {});
  }
}
