package io.capnet.netlayer;

import io.capnet.codec.DecodeLimits;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The contract over real loopback sockets. The netlayer takes no custom limits: 16 MiB applies. */
class TcpTestingOnlyConnectionTest extends ConnectionContractTest {
  private long fdsBefore;

  @BeforeAll
  static void warmUp() throws Exception {
    TcpTestingOnlyNetlayerTest.warmUpSockets();
  }

  @BeforeEach
  void countFds() {
    fdsBefore = Leaks.openFds();
  }

  @Override
  protected Pair open(DecodeLimits ignored) throws Exception {
    Netlayer netlayer = Netlayers.tcpTestingOnly("127.0.0.1", 0);
    try {
      BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
      netlayer.accept(accepted::add);
      Connection c = netlayer.connect(netlayer.locator());
      Connection s = accepted.poll(10, TimeUnit.SECONDS);
      return new Pair(c, s, netlayer::close);
    } catch (Exception e) {
      netlayer.close();
      throw e;
    }
  }

  // JUnit runs this before the superclass's @AfterEach, so it closes the pair itself.
  @AfterEach
  void noFdLeaked() throws Exception {
    closePair();
    Leaks.assertFdsReturnTo(fdsBefore);
  }
}
