package io.capnet.captp;

import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.Netlayers;
import io.capnet.netlayer.SyrupFraming;
import java.io.IOException;

/**
 * The session contract over tcp-testing-only and real loopback TCP, dialling length-prefixed (the default): the listener
 * sniffs the framing and answers in it (spec/framing.md).
 */
class SessionOverTcpTestingOnlyTest extends SessionContractTest {
  @Override
  protected Netlayer netlayer(String name) throws IOException {
    return Netlayers.tcpTestingOnly(Netlayers.randomDesignator(), "127.0.0.1", 0, SyrupFraming.LENGTH_PREFIXED);
  }
}
