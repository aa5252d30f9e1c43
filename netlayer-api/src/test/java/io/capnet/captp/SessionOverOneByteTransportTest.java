package io.capnet.captp;

import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.OneByteAtATimeNetwork;

/**
 * The session contract over bare Syrup through pipes that move one byte per read and per write,
 * so every CapTP message arrives in the most fragmented way a stream allows.
 */
class SessionOverOneByteTransportTest extends SessionContractTest {
  /** A blocking transport: its connections read and write on threads of their own. */
  @Override
  protected boolean ioOnTheVat() {
    return false;
  }

  private final OneByteAtATimeNetwork network = new OneByteAtATimeNetwork();

  @Override
  protected Netlayer netlayer(String name) {
    return network.netlayer(name);
  }
}
