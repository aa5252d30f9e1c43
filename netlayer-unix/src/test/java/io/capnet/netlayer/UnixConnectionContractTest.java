package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeLimits;
import io.capnet.unix.UnixLimits;
import io.capnet.unix.UnixTestConnections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The whole connection contract over a real AF_UNIX socket pair, in CBOR. */
class UnixConnectionContractTest extends ConnectionContractTest {
  private long fdsBefore;

  @BeforeAll
  static void warmUp() throws Exception {
    UnixTestConnections.warmUp(); // junixsocket's one-time fds belong in the baseline
  }

  @BeforeEach
  void countFds() {
    fdsBefore = Leaks.openFds();
  }

  /** Bytes per sendmsg and per recvmsg. */
  protected int chunk() {
    return Integer.MAX_VALUE;
  }

  @Override
  protected Pair open(DecodeLimits limits) throws Exception {
    Connection[] c = UnixTestConnections.pair(Codec.cbor(limits), UnixLimits.DEFAULT, chunk(), chunk());
    return new Pair(c[0], c[1], () -> {});
  }

  @Override
  protected boolean carriesDescriptors() {
    return true;
  }

  // JUnit runs this before the superclass's @AfterEach, so it closes the pair itself.
  @AfterEach
  void noFdLeaked() throws Exception {
    closePair();
    Leaks.assertFdsReturnTo(fdsBefore);
  }
}
