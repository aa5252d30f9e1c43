package io.capnet.captp;

import io.capnet.netlayer.Netlayer;
import io.capnet.tcptls.TcpTls;
import io.capnet.tcptls.TlsIdentity;
import java.io.IOException;

/**
 * The session contract over tcp-tls, each peer with a fresh Ed25519 identity; this includes the
 * three-peer handoff with all three peers on tcp-tls, and the thread and descriptor leak check.
 */
class SessionOverTcpTlsTest extends SessionContractTest {
  @Override
  protected Netlayer netlayer(String name) throws IOException {
    return TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0);
  }
}
