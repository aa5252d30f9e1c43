package io.capnet.netlayer;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.codec.DecodeLimits;
import io.capnet.tcptls.TcpTls;
import io.capnet.tcptls.TcpTlsOptions;
import io.capnet.tcptls.TlsIdentity;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The connection contract over tcp-tls: length-prefixed CBOR over mutual TLS 1.3 on loopback. */
class TcpTlsConnectionTest extends ConnectionContractTest {
  private static final TlsIdentity SERVER = TlsIdentity.generate();
  private static final TlsIdentity CLIENT = TlsIdentity.generate();
  private long fdsBefore;

  @BeforeAll
  static void warmUp() throws Exception {
    TcpTestingOnlyNetlayerTest.warmUpSockets();
    try (Pair p = pairOf(SMALL)) {
      send(p.client(), "ping");
      assertReceives(p.server(), "ping");
    }
  }

  @BeforeEach
  void countFds() {
    fdsBefore = Leaks.openFds();
  }

  static Pair pairOf(DecodeLimits limits) throws Exception {
    TcpTlsOptions options = TcpTlsOptions.DEFAULT.withLimits(limits);
    Netlayer server = TcpTls.netlayer(SERVER, "127.0.0.1", 0, options);
    Netlayer client = null;
    try {
      client = TcpTls.netlayer(CLIENT, "127.0.0.1", 0, options);
      BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
      server.accept(accepted::add);
      Connection c = client.connect(server.locator());
      Connection s = accepted.poll(10, TimeUnit.SECONDS);
      assertThat(s).as("the accepted connection").isNotNull();
      assertThat(c.authenticatedDesignator()).contains(SERVER.designator());
      assertThat(s.authenticatedDesignator()).contains(CLIENT.designator());
      assertThat(c.supports(NetlayerCapability.AUTHENTICATED_PEER)).isTrue();
      Netlayer clientNetlayer = client;
      return new Pair(c, s, () -> {
        try (server; clientNetlayer) {
          // close both netlayers
        }
      });
    } catch (Exception | AssertionError e) {
      server.close();
      if (client != null) client.close();
      throw e;
    }
  }

  @Override
  protected Pair open(DecodeLimits limits) throws Exception {
    return pairOf(limits);
  }

  // JUnit runs this before the superclass's @AfterEach, so it closes the pair itself.
  @AfterEach
  void noFdLeaked() throws Exception {
    closePair();
    Leaks.assertFdsReturnTo(fdsBefore);
  }
}
