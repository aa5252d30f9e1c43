package io.capnet.captp;

import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.Netlayers;
import java.io.IOException;

/** The session contract over tcp-testing-only: bare Syrup over real loopback TCP. */
class SessionOverTcpTestingOnlyTest extends SessionContractTest {
  @Override
  protected Netlayer netlayer(String name) throws IOException {
    return Netlayers.tcpTestingOnly("127.0.0.1", 0);
  }
}
