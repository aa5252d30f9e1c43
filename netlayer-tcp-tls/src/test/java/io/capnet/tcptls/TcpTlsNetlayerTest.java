package io.capnet.tcptls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.captp.LeakProbe;
import io.capnet.codec.DecodeException;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tcp-tls netlayer against bad input: each case is really sent, its error asserted on the
 * side that must see it, and the listener then still serves a good client.
 */
class TcpTlsNetlayerTest {
  static final TlsIdentity SERVER = TlsIdentity.generate();
  static final TlsIdentity CLIENT = TlsIdentity.generate();

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private TcpTlsNetlayer server;
  private Netlayer client;
  private final BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> rejected = new LinkedBlockingQueue<>();

  @BeforeAll
  static void warmUp() throws Exception {
    new TcpTlsNetlayerTest().goodClientIsServed(); // first-use costs out of the timed tests
  }

  @BeforeEach
  void listen() throws IOException {
    listen(TcpTlsOptions.DEFAULT);
  }

  private void listen(TcpTlsOptions options) throws IOException {
    if (server != null) server.close();
    server = (TcpTlsNetlayer) TcpTls.netlayer(SERVER, "127.0.0.1", 0, options);
    server.onRejected(rejected::add);
    server.accept(accepted::add);
    if (client == null) client = TcpTls.netlayer(CLIENT, "127.0.0.1", 0);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) c.close();
    for (Connection c : accepted) c.close();
    if (server != null) server.close();
    if (client != null) client.close();
  }

  private int port() {
    return Integer.parseInt(server.locator().hint("port").orElseThrow());
  }

  private String rejection() throws InterruptedException {
    String r = rejected.poll(15, TimeUnit.SECONDS);
    assertThat(r).as("the listener's reason for refusing the connection").isNotNull();
    return r;
  }

  /** A good client connects, both sides know each other's designator, and a frame each way arrives. */
  void goodClientIsServed() throws Exception {
    boolean mine = server == null;
    if (mine) listen();
    try (Connection c = client.connect(server.locator())) {
      Connection s = accepted.poll(10, TimeUnit.SECONDS);
      assertThat(s).as("the listener still accepts a good client").isNotNull();
      try (s) {
        assertThat(c.authenticatedDesignator()).contains(SERVER.designator());
        assertThat(s.authenticatedDesignator()).contains(CLIENT.designator());
        c.send(c.codec().encode("ping"), List.of());
        c.flush();
        assertThat(s.receive()).isEqualTo("ping");
        s.send(s.codec().encode("pong"), List.of());
        s.flush();
        assertThat(c.receive()).isEqualTo("pong");
      }
    } finally {
      if (mine) closeAll();
    }
  }

  /** Raw TCP to the listener. */
  private Socket raw() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port());
    s.setSoTimeout(15_000);
    toClose.add(s);
    return s;
  }

  /** Reads until the listener closes; the bytes it sent first (a TLS alert, perhaps). */
  private static byte[] readUntilClosed(Socket s) throws IOException {
    try {
      return s.getInputStream().readAllBytes();
    } catch (SocketException e) { // reset
      return new byte[0];
    }
  }

  /** A TLS context that shows {@code keys} (none: no certificate) and trusts any server. */
  static SSLContext testContext(String protocol, KeyManager[] keys) throws Exception {
    SSLContext ctx = SSLContext.getInstance(protocol);
    ctx.init(keys, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return ctx;
  }

  /** A client with a valid identity, layered over a TCP socket the test can write to directly. */
  private SSLSocket handshakenClient(Socket plain) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(new KeyManager[] {new IdentityKeyManager(CLIENT)},
        new TrustManager[] {PinningTrustManager.pinning(SERVER.rawPublicKey())}, null);
    SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", port(), true);
    toClose.add(ssl);
    ssl.setEnabledProtocols(new String[] {"TLSv1.3"});
    ssl.startHandshake();
    return ssl;
  }

  // ---------------------------------------------------------------- the good case

  @Test
  @Timeout(30)
  void bothEndsLearnEachOthersDesignatorFromTheHandshake() throws Exception {
    assertThat(server.supports(NetlayerCapability.AUTHENTICATED_PEER)).isTrue();
    assertThat(server.supports(NetlayerCapability.DESCRIPTORS)).isFalse();
    assertThat(server.locator().toUri())
        .isEqualTo("ocapn://" + SERVER.designator() + ".tcp-tls?host=127.0.0.1&port=" + port());
    goodClientIsServed();
  }

  // ---------------------------------------------------------------- dialling

  @Test
  @Timeout(30)
  void connectFailsWhenServerKeyDiffersFromDesignator() throws Exception {
    TlsIdentity someoneElse = TlsIdentity.generate();
    PeerLocator wrong = PeerLocator.of(someoneElse.designator(), TcpTls.TRANSPORT, server.locator().hints());
    assertThatThrownBy(() -> client.connect(wrong))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("127.0.0.1:" + port())
        .hasMessageContaining("the server's key is designator " + SERVER.designator())
        .hasMessageContaining("not the dialled designator " + someoneElse.designator());
    // The dialler refused before showing its certificate; the listener sees its alert, or the
    // closed socket if that came first.
    assertThat(rejection()).contains("handshake from 127.0.0.1:");
    assertThat(accepted).isEmpty();
    goodClientIsServed();
  }

  /** Dials share one TLS context, but never a session: each proves the server's key afresh. */
  @Test
  @Timeout(30)
  void everyDialProvesTheServersKeyAfreshEvenToAnAddressDialledBefore() throws Exception {
    for (int i = 0; i < 3; i++) goodClientIsServed();
    PeerLocator wrong = PeerLocator.of(TlsIdentity.generate().designator(), TcpTls.TRANSPORT, server.locator().hints());
    assertThatThrownBy(() -> client.connect(wrong)).isInstanceOf(IOException.class)
        .hasMessageContaining("the server's key is designator " + SERVER.designator());
    goodClientIsServed();
  }

  /**
   * Capnet never resumes, but another client may offer a session ticket the listener issued: the
   * listener then knows the client by the certificate of the session it resumes (spec/tcp-tls.md).
   */
  @Test
  @Timeout(30)
  void aClientThatResumesASessionIsStillKnownByItsKey() throws Exception {
    // The client's trust manager sees the server's certificate only in a full handshake, so
    // counting its calls tells whether a connection resumed.
    PinningTrustManager pin = PinningTrustManager.pinning(SERVER.rawPublicKey());
    java.util.concurrent.atomic.AtomicInteger fullHandshakes = new java.util.concurrent.atomic.AtomicInteger();
    X509ExtendedTrustManager counting = new X509ExtendedTrustManager() {
      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws java.security.cert.CertificateException {
        fullHandshakes.incrementAndGet();
        pin.checkServerTrusted(chain, authType, socket);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws java.security.cert.CertificateException {
        fullHandshakes.incrementAndGet();
        pin.checkServerTrusted(chain, authType, engine);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType)
          throws java.security.cert.CertificateException {
        fullHandshakes.incrementAndGet();
        pin.checkServerTrusted(chain, authType);
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a client only");
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a client only");
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType)
          throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a client only");
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(new KeyManager[] {new IdentityKeyManager(CLIENT)}, new TrustManager[] {counting}, null);
    for (int i = 0; i < 3; i++) {
      try (SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port())) {
        ssl.setEnabledProtocols(new String[] {"TLSv1.3"});
        ssl.setSoTimeout(15_000);
        ssl.startHandshake();
        // A frame each way: the server's session tickets arrive with its answer.
        ssl.getOutputStream().write(new byte[] {0, 0, 0, 1, 0x21});
        ssl.getOutputStream().flush();
        Connection s = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(s).as("connection %d (full handshakes so far: %d; refused: %s)", i, fullHandshakes.get(),
            rejected.peek()).isNotNull();
        try (s) {
          assertThat(s.authenticatedDesignator()).contains(CLIENT.designator());
          assertThat(s.receive()).isEqualTo(-2L); // 0x21 is CBOR -2
          s.send(s.codec().encode("ok"), List.of());
          s.flush();
          assertThat(ssl.getInputStream().read()).isEqualTo(0);
        }
      }
    }
    // Without a resumption this test would check nothing it is named for.
    assertThat(fullHandshakes.get()).as("full handshakes in three connections").isEqualTo(1);
    goodClientIsServed();
  }

  @Test
  @Timeout(30)
  void connectToAPortThatRefusesFailsNamingHostAndPort() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    PeerLocator closed = PeerLocator.of(SERVER.designator(), TcpTls.TRANSPORT,
        java.util.Map.of("host", "127.0.0.1", "port", Integer.toString(port)));
    assertThatThrownBy(() -> client.connect(closed))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot connect to tcp-tls peer at 127.0.0.1:" + port)
        .hasMessageContaining("refused");
    goodClientIsServed();
  }

  @Test
  @Timeout(30)
  void connectFailsAtTheDeadlineWhenTheServerNeverAnswersTheHandshake() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Netlayer impatient = TcpTls.netlayer(CLIENT, "127.0.0.1", 0,
            TcpTlsOptions.DEFAULT.withHandshakeTimeout(Duration.ofMillis(500)))) {
      PeerLocator mute = PeerLocator.of(SERVER.designator(), TcpTls.TRANSPORT,
          java.util.Map.of("host", "127.0.0.1", "port", Integer.toString(silent.getLocalPort())));
      long start = System.nanoTime();
      assertThatThrownBy(() -> impatient.connect(mute))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("127.0.0.1:" + silent.getLocalPort())
          .hasMessageContaining("did not finish within 500 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  @Timeout(30)
  void connectRefusesALocatorWhoseDesignatorIsNotAKey() {
    PeerLocator bad = server.locator().withHints(server.locator().hints());
    PeerLocator notAKey = PeerLocator.of("k3y", TcpTls.TRANSPORT, bad.hints());
    assertThatThrownBy(() -> client.connect(notAKey)).isInstanceOf(IOException.class)
        .hasMessageContaining("bad designator").hasMessageContaining("52 lowercase base32 characters");
  }

  // ---------------------------------------------------------------- listening

  @Test
  @Timeout(30)
  void listenerRefusesAClientWithNoCertificate() throws Exception {
    SSLContext noCert = testContext("TLSv1.3", null);
    try (SSLSocket s = (SSLSocket) noCert.getSocketFactory().createSocket("127.0.0.1", port())) {
      s.setSoTimeout(15_000);
      s.setEnabledProtocols(new String[] {"TLSv1.3"});
      // In TLS 1.3 the client's side of the handshake ends before the server has judged it.
      assertThatThrownBy(() -> {
        s.startHandshake();
        s.getInputStream().read();
      }).isInstanceOf(SSLException.class).hasMessageContaining("certificate_required");
    }
    assertThat(rejection()).contains("Empty client certificate chain");
    assertThat(accepted).isEmpty();
    goodClientIsServed();
  }

  @Test
  @Timeout(30)
  void listenerRefusesAPlaintextClient() throws Exception {
    Socket s = raw();
    // A tcp-testing-only peer's first bytes: bare Syrup op:start-session.
    s.getOutputStream().write("<13'op:start-session3\"0.1".getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    readUntilClosed(s);
    assertThat(rejection()).contains("Unrecognized SSL message, plaintext connection?");
    assertThat(accepted).isEmpty();
    goodClientIsServed();
  }

  @Test
  @Timeout(30)
  void listenerRefusesATls12OnlyClient() throws Exception {
    SSLContext tls12 = testContext("TLSv1.2", new KeyManager[] {new IdentityKeyManager(CLIENT)});
    try (SSLSocket s = (SSLSocket) tls12.getSocketFactory().createSocket("127.0.0.1", port())) {
      s.setSoTimeout(15_000);
      s.setEnabledProtocols(new String[] {"TLSv1.2"});
      assertThatThrownBy(s::startHandshake).isInstanceOf(SSLException.class).hasMessageContaining("protocol_version");
    }
    assertThat(rejection()).contains("TLSv1.2").contains("TLSv1.3");
    assertThat(accepted).isEmpty();
    goodClientIsServed();
  }

  @Test
  @Timeout(30)
  void handshakeThatNeverFinishesIsClosedAtTheDeadlineWhileOthersAreServed() throws Exception {
    listen(TcpTlsOptions.DEFAULT.withHandshakeTimeout(Duration.ofSeconds(2)));
    Socket silent = raw(); // connects, then says nothing
    Socket slow = raw();   // starts a record, then stalls
    slow.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x01, 0x00, 0x01});
    slow.getOutputStream().flush();
    long start = System.nanoTime();
    goodClientIsServed(); // meanwhile, a good client is not held up by them
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(readUntilClosed(silent)).isEmpty();
    readUntilClosed(slow);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1500)).isLessThan(Duration.ofSeconds(10));
    assertThat(rejection()).contains("did not finish within 2000 ms");
    assertThat(rejection()).contains("did not finish within 2000 ms");
    goodClientIsServed();
  }

  /**
   * A record cut short by the end of the TCP stream. SunJSSE reports any end of stream without
   * close_notify, even inside a record, as a plain end of stream (unless
   * {@code com.sun.net.ssl.requireCloseNotify} is set), so it is the length-prefixed framing
   * that fails the receive: the frame is incomplete.
   */
  @Test
  @Timeout(30)
  void truncatedRecordAfterTheHandshakeFailsTheReceiveAsATruncatedFrame() throws Exception {
    Socket plain = raw();
    SSLSocket ssl = handshakenClient(plain);
    Connection s = accepted.poll(10, TimeUnit.SECONDS);
    assertThat(s).isNotNull();
    // The first 6 bytes of a 100-byte frame, in a whole record...
    ssl.getOutputStream().write(new byte[] {0, 0, 0, 100, (byte) 0x82, 1});
    ssl.getOutputStream().flush();
    // ...then an application_data record header that promises 64 bytes, 10 of them, and the end.
    OutputStream out = plain.getOutputStream();
    out.write(new byte[] {0x17, 0x03, 0x03, 0x00, 0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    out.flush();
    plain.shutdownOutput();
    assertThatThrownBy(s::receive).isInstanceOfSatisfying(DecodeException.class, e -> {
      assertThat(e.rule()).isEqualTo(DecodeException.Rule.TRUNCATED);
      assertThat(e.getMessage()).contains("stream ended after 2 of the 100 bytes of a frame");
    });
    goodClientIsServed();
  }

  @Test
  @Timeout(30)
  void garbageAfterTheHandshakeFailsTheReceive() throws Exception {
    Socket plain = raw();
    handshakenClient(plain);
    Connection s = accepted.poll(10, TimeUnit.SECONDS);
    assertThat(s).isNotNull();
    byte[] garbage = new byte[300];
    new Random(5).nextBytes(garbage);
    garbage[0] = 0x17; // looks like application data, so it is the record's MAC that fails
    garbage[1] = 0x03;
    garbage[2] = 0x03;
    garbage[3] = 0x01;
    garbage[4] = 0x00;
    plain.getOutputStream().write(garbage);
    plain.getOutputStream().flush();
    assertThatThrownBy(s::receive).isInstanceOf(SSLException.class).satisfies(e ->
        assertThat(e.getMessage()).containsAnyOf("bad_record_mac", "Tag mismatch", "decrypt"));
    goodClientIsServed();
  }

  @Test
  @Timeout(60)
  void badInputLeavesNoDescriptorsOrThreadsBehind() throws Exception {
    // Once to warm up the JDK's own one-time descriptors and threads, then measured.
    everyBadInput();
    closeAll();
    server = null;
    client = null;
    toClose.clear();
    long fds = LeakProbe.openFds();
    Set<String> threads = LeakProbe.capnetThreads();
    listen();
    everyBadInput();
    closeAll();
    long now = LeakProbe.openFds();
    Set<String> left = new HashSet<>(LeakProbe.capnetThreads());
    for (int i = 0; i < 100 && (now > fds || !threads.containsAll(left)); i++) {
      Thread.sleep(50);
      now = LeakProbe.openFds();
      left = new HashSet<>(LeakProbe.capnetThreads());
    }
    left.removeAll(threads);
    assertThat(left).as("capnet threads left after bad input").isEmpty();
    assertThat(now).as("open file descriptors (baseline %d)", fds).isLessThanOrEqualTo(fds);
    server = null;
    client = null;
  }

  private void everyBadInput() throws Exception {
    connectFailsWhenServerKeyDiffersFromDesignator();
    listenerRefusesAClientWithNoCertificate();
    listenerRefusesAPlaintextClient();
    listenerRefusesATls12OnlyClient();
    truncatedRecordAfterTheHandshakeFailsTheReceiveAsATruncatedFrame();
    garbageAfterTheHandshakeFailsTheReceive();
    for (AutoCloseable c : toClose) c.close();
    toClose.clear();
    for (Connection c; (c = accepted.poll()) != null; ) c.close();
  }

  @Test
  @Timeout(30)
  void closingTheNetlayerAbortsHandshakesInProgress() throws Exception {
    Socket silent = raw();
    Thread.sleep(200); // let the listener take it and start its handshake
    long start = System.nanoTime();
    server.close();
    InputStream in = silent.getInputStream();
    assertThat(in.read()).isEqualTo(-1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    server = null;
  }
}
