package io.capnet.captp;

import io.capnet.netlayer.InMemoryNetwork;
import io.capnet.netlayer.Netlayer;

/** The session contract over {@link InMemoryNetwork}: encoded frames through bounded queues. */
class SessionOverInMemoryTest extends SessionContractTest {
  private final InMemoryNetwork network = InMemoryNetwork.create();

  @Override
  protected Netlayer netlayer(String name) {
    return network.netlayer(name);
  }
}
