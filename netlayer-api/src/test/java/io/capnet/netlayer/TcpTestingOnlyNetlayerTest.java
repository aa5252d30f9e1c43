package io.capnet.netlayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.locator.PeerLocator;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TcpTestingOnlyNetlayerTest {
  /**
   * The JDK opens some descriptors once, on first use (the virtual-thread pollers, the socket
   * pre-close descriptor); open them before any test takes an fd baseline.
   */
  static void warmUpSockets() throws Exception {
    try (Netlayer n = Netlayers.tcpTestingOnly("127.0.0.1", 0)) {
      BlockingQueue<Connection> q = new LinkedBlockingQueue<>();
      n.accept(q::add);
      try (Connection c = n.connect(n.locator()); Connection s = q.poll(10, TimeUnit.SECONDS)) {
        ConnectionContractTest.send(c, "ping");
        Thread reader = Thread.ofVirtual().start(() -> {
          try {
            s.receive();
            ConnectionContractTest.send(s, "pong");
          } catch (IOException e) {
            throw new RuntimeException(e);
          }
        });
        c.receive();
        reader.join();
      }
    }
  }

  @BeforeAll
  static void warmUp() throws Exception {
    warmUpSockets();
  }

  @Test
  void locatorHasHostAndPortHintsAndTheTransport() throws Exception {
    try (Netlayer n = Netlayers.tcpTestingOnly("127.0.0.1", 0)) {
      PeerLocator l = n.locator();
      assertThat(n.transport()).isEqualTo("tcp-testing-only");
      assertThat(l.transport()).isEqualTo("tcp-testing-only");
      assertThat(l.designator()).matches("[a-z2-7]{32}");
      assertThat(l.hint("host")).contains("127.0.0.1");
      assertThat(Integer.parseInt(l.hint("port").orElseThrow())).isPositive();
      assertThat(PeerLocator.parse(l.toUri()).equalsWithHints(l)).isTrue();
      assertThat(n.supports(NetlayerCapability.DESCRIPTORS)).isFalse();
    }
    try (Netlayer n = Netlayers.tcpTestingOnly("k3y", "127.0.0.1", 0)) {
      assertThat(n.locator().toUri()).startsWith("ocapn://k3y.tcp-testing-only?host=127.0.0.1&port=");
    }
  }

  @Test
  void connectToAClosedPortFailsNamingHostAndPort() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PeerLocator closed = PeerLocator.parse("ocapn://nobody.tcp-testing-only?host=127.0.0.1&port=" + port);
    try (Netlayer n = Netlayers.tcpTestingOnly("127.0.0.1", 0)) {
      assertThatThrownBy(() -> n.connect(closed))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("refused");
    }
  }

  @Test
  void connectNeedsHostAndPortHints() throws Exception {
    try (Netlayer n = Netlayers.tcpTestingOnly("127.0.0.1", 0)) {
      assertThatThrownBy(() -> n.connect(PeerLocator.parse("ocapn://x.tcp-testing-only?port=1")))
          .isInstanceOf(IOException.class).hasMessageContaining("\"host\"");
      assertThatThrownBy(() -> n.connect(PeerLocator.parse("ocapn://x.tcp-testing-only?host=127.0.0.1")))
          .isInstanceOf(IOException.class).hasMessageContaining("\"port\"");
      assertThatThrownBy(() -> n.connect(PeerLocator.parse("ocapn://x.tcp-testing-only?host=127.0.0.1&port=http")))
          .isInstanceOf(IOException.class).hasMessageContaining("\"http\"");
      assertThatThrownBy(() -> n.connect(PeerLocator.parse("ocapn://x.memory")))
          .isInstanceOf(IOException.class).hasMessageContaining("memory");
    }
  }

  @Test
  void listeningOnAPortInUseFailsNamingIt() throws Exception {
    try (Netlayer n = Netlayers.tcpTestingOnly("127.0.0.1", 0)) {
      String port = n.locator().hint("port").orElseThrow();
      assertThatThrownBy(() -> Netlayers.tcpTestingOnly("127.0.0.1", Integer.parseInt(port)))
          .isInstanceOf(IOException.class).hasMessageContaining("127.0.0.1:" + port);
    }
  }

  @Test
  void closeStopsTheAcceptLoopAndReleasesEveryDescriptor() throws Exception {
    long before = Leaks.openFds();
    TcpTestingOnlyNetlayer n = (TcpTestingOnlyNetlayer) Netlayers.tcpTestingOnly("127.0.0.1", 0);
    BlockingQueue<Connection> q = new LinkedBlockingQueue<>();
    n.accept(q::add);
    Connection c = n.connect(n.locator());
    Connection s = q.poll(10, TimeUnit.SECONDS);
    ConnectionContractTest.send(c, "hello");
    assertThat(s.receive()).isEqualTo("hello");
    Thread accept = n.acceptThread();
    assertThat(accept.isAlive()).isTrue();
    // Virtual threads are not in Thread.getAllStackTraces(), so follow the loop's own thread.
    c.close();
    s.close();
    n.close();
    assertThat(accept.isAlive()).as("accept loop still running after close()").isFalse();
    n.close();
    assertThatThrownBy(() -> n.connect(n.locator())).isInstanceOf(IOException.class).hasMessageContaining("closed");
    Leaks.assertFdsReturnTo(before);
  }

  @Test
  void closeBeforeAcceptLeavesNothingBehind() throws Exception {
    long before = Leaks.openFds();
    long platformThreads = Thread.getAllStackTraces().size();
    Netlayers.tcpTestingOnly("127.0.0.1", 0).close();
    Leaks.assertFdsReturnTo(before);
    assertThat(Thread.getAllStackTraces().size()).isLessThanOrEqualTo((int) platformThreads);
  }

  @Test
  void aConnectionHandlerThatThrowsDoesNotStopTheAcceptLoop() throws Exception {
    try (Netlayer n = Netlayers.tcpTestingOnly("127.0.0.1", 0)) {
      BlockingQueue<Connection> q = new LinkedBlockingQueue<>();
      AtomicInteger calls = new AtomicInteger();
      n.accept(conn -> {
        if (calls.getAndIncrement() == 0) throw new IllegalStateException("handler failure (expected in this test)");
        q.add(conn);
      });
      Connection first = n.connect(n.locator());
      assertThat(first.receive()).as("the failed handler's connection is closed").isNull();
      try (Connection second = n.connect(n.locator()); Connection accepted = q.poll(10, TimeUnit.SECONDS)) {
        ConnectionContractTest.send(second, List.of("ok"));
        assertThat(accepted.receive()).isEqualTo(List.of("ok"));
      }
      first.close();
    }
  }
}
