package io.capnet.tcptls;

import io.capnet.locator.Designators;
import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.AcceptLoop;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;

/**
 * The tcp-tls netlayer: length-prefixed CBOR frames over mutual TLS 1.3 (SunJSSE) on TCP. The
 * dialler pins the server's key to the designator it dialled; the listener learns the client's
 * designator from its certificate. Handshakes run on an {@link SSLEngine} on each connection's
 * own (virtual) thread, never on the accept loop, and are closed at
 * {@link TcpTlsOptions#handshakeTimeout()}; the handshaken engine then runs on the vat's loop.
 */
final class TcpTlsNetlayer implements Netlayer {
  static final String TRANSPORT = TcpTls.TRANSPORT;
  static final String[] PROTOCOLS = {"TLSv1.3"};
  private static final System.Logger LOG = System.getLogger(TcpTlsNetlayer.class.getName());

  private final TlsIdentity identity;
  private final TcpTlsOptions options;
  private final KeyManager[] keyManagers;
  private final SSLContext serverContext;
  private final PinningTrustManager dialTrust = PinningTrustManager.forDials();
  private final SSLContext dialContext;
  private final AtomicLong dials = new AtomicLong();
  private final ServerSocketChannel server;
  private final PeerLocator locator;
  private final Set<SocketChannel> handshaking = ConcurrentHashMap.newKeySet();
  private final ReentrantLock lock = new ReentrantLock();
  private Thread acceptThread; // guarded by lock
  private volatile boolean closed;
  /** Told why each refused incoming connection was refused; logs by default (tests listen). */
  private volatile Consumer<String> rejections = reason -> LOG.log(Level.INFO, reason);

  TcpTlsNetlayer(TlsIdentity identity, String host, int port, TcpTlsOptions options) throws IOException {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.options = Objects.requireNonNull(options, "options");
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    keyManagers = new KeyManager[] {new IdentityKeyManager(identity)};
    serverContext = context(PinningTrustManager.forClients());
    dialContext = context(dialTrust);
    dialContext.getClientSessionContext().setSessionCacheSize(1);
    server = ServerSocketChannel.open();
    try {
      server.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      Map<String, String> hints = new LinkedHashMap<>();
      hints.put("host", server.socket().getInetAddress().getHostAddress());
      hints.put("port", Integer.toString(server.socket().getLocalPort()));
      locator = PeerLocator.of(identity.designator(), TRANSPORT, hints);
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot listen on " + host + ":" + port + ": " + e, e);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private SSLContext context(TrustManager trust) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLSv1.3", "SunJSSE");
      ctx.init(keyManagers, new TrustManager[] {trust}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK's SunJSSE cannot do TLS 1.3", e);
    }
  }

  @Override
  public String transport() {
    return TRANSPORT;
  }

  @Override
  public PeerLocator locator() {
    return locator;
  }

  /** Replaces the default logging of refused connections; for tests. */
  void onRejected(Consumer<String> listener) {
    rejections = Objects.requireNonNull(listener, "listener");
  }

  TlsIdentity identity() {
    return identity;
  }

  // ---------------------------------------------------------------- dialling

  @Override
  public Connection connect(PeerLocator remote) throws IOException {
    if (!remote.transport().equals(TRANSPORT)) {
      throw new IOException(TRANSPORT + " netlayer cannot reach transport " + remote.transport());
    }
    if (closed) throw new IOException(TRANSPORT + " netlayer " + locator + " is closed");
    byte[] expected;
    try {
      expected = Designators.ed25519Key(remote.designator());
    } catch (IllegalArgumentException e) {
      throw new IOException("bad designator in " + remote + ": " + e.getMessage(), e);
    }
    String host = remote.hint("host").orElseThrow(() -> missing(remote, "host"));
    String portHint = remote.hint("port").orElseThrow(() -> missing(remote, "port"));
    int port;
    try {
      port = Integer.parseInt(portHint);
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new IOException("bad port hint \"" + portHint + "\" in " + remote + ": not a port number 1-65535");
    }
    String where = host + ":" + port;
    SocketChannel plain = SocketChannel.open();
    try {
      plain.socket().setTcpNoDelay(true);
      plain.socket().connect(new InetSocketAddress(host, port), (int) options.connectTimeout().toMillis());
    } catch (IOException e) {
      plain.close();
      throw new IOException("cannot connect to " + TRANSPORT + " peer at " + where + ": " + e, e);
    }
    SSLEngine engine = null;
    try {
      // No session resumption: SunJSSE caches client sessions by the peer host and port given
      // here, so each dial names a host of its own, which no later dial can find. The name is
      // not sent: SNI is off.
      engine = dialContext.createSSLEngine("capnet-dial-" + dials.incrementAndGet(), port);
      engine.setUseClientMode(true);
      SSLParameters params = engine.getSSLParameters();
      params.setProtocols(PROTOCOLS);
      params.setServerNames(List.of());
      engine.setSSLParameters(params);
      EngineChannel tls = new EngineChannel(plain, engine);
      dialTrust.pin(engine, expected);
      try {
        handshake(tls);
      } finally {
        dialTrust.unpin(engine);
      }
      byte[] proven = peerKey(engine.getSession(), "server");
      if (!Arrays.equals(proven, expected)) { // the trust manager checked already; belt and braces
        throw new IOException("the server's key is designator " + Designators.base32(proven)
            + ", not the dialled designator " + remote.designator());
      }
      return wrap(tls, remote.designator(), where);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw new IOException(TRANSPORT + " handshake with " + where + " failed: " + explain(e), e);
    }
  }

  private static IOException missing(PeerLocator remote, String hint) {
    return new IOException(TRANSPORT + " locator " + remote + " has no \"" + hint + "\" hint");
  }

  // ---------------------------------------------------------------- the handshake

  /** A handshake that did not finish by the deadline. */
  static final class HandshakeTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    HandshakeTimeoutException(long millis, Throwable cause) {
      super("the TLS handshake did not finish within " + millis + " ms", cause);
    }
  }

  private static final int RUNNING = 0;
  private static final int DONE = 1;
  private static final int EXPIRED = 2;

  /**
   * Runs the handshake on this thread; a watchdog closes {@code plain} at the deadline, which
   * ends a handshake stuck in a read or a write.
   */
  private void handshake(EngineChannel tls) throws IOException {
    SocketChannel plain = tls.channel;
    long millis = options.handshakeTimeout().toMillis();
    AtomicInteger state = new AtomicInteger(RUNNING);
    Thread watchdog = Thread.ofVirtual().name("capnet-" + TRANSPORT + "-deadline").start(() -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        return;
      }
      if (state.compareAndSet(RUNNING, EXPIRED)) closeQuietly(plain);
    });
    handshaking.add(plain);
    try {
      if (closed) throw new IOException(TRANSPORT + " netlayer " + locator + " is closed");
      tls.handshake();
    } catch (IOException e) {
      if (state.get() == EXPIRED) throw new HandshakeTimeoutException(millis, e);
      throw e;
    } finally {
      handshaking.remove(plain);
      watchdog.interrupt();
    }
    if (!state.compareAndSet(RUNNING, DONE)) throw new HandshakeTimeoutException(millis, null);
  }

  /** The raw key of the peer's certificate in the finished handshake. */
  private static byte[] peerKey(SSLSession session, String who) throws IOException {
    Certificate[] chain = session.getPeerCertificates();
    X509Certificate[] x509 = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      if (!(chain[i] instanceof X509Certificate c)) throw new SSLException("the " + who + " sent a non-X.509 certificate");
      x509[i] = c;
    }
    try {
      return PinningTrustManager.keyOf(x509, who);
    } catch (CertificateException e) {
      throw new SSLException(e.getMessage(), e);
    }
  }

  /**
   * What went wrong, for a person: our own checks' words when one of them refused, else the
   * JDK's message (which names the TLS alert or the protocol fault).
   */
  static String explain(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PinningTrustManager.KeyMismatchException
          || t instanceof HandshakeTimeoutException
          || (t instanceof CertificateException && t.getMessage() != null)) {
        return t.getMessage();
      }
    }
    String m = e.getMessage();
    return m == null ? e.toString() : m;
  }

  private Connection wrap(EngineChannel tls, String peerDesignator, String where) throws IOException {
    return new TlsConnection(tls, Codec.cbor(options.limits()),
        TRANSPORT + " " + where + " " + shortName(peerDesignator), peerDesignator);
  }

  private static String shortName(String designator) {
    return designator.length() > 12 ? designator.substring(0, 12) + "…" : designator;
  }

  // ---------------------------------------------------------------- listening

  @Override
  public void accept(Consumer<Connection> incoming) {
    Objects.requireNonNull(incoming, "incoming");
    lock.lock();
    try {
      if (acceptThread != null) throw new IllegalStateException("accept was already called");
      if (closed) return;
      acceptThread = Thread.ofVirtual()
          .name("capnet-" + TRANSPORT + "-accept " + server.socket().getLocalPort())
          .start(() -> acceptLoop(incoming));
    } finally {
      lock.unlock();
    }
  }

  private void acceptLoop(Consumer<Connection> incoming) {
    AcceptLoop.run(server::accept, () -> closed, locator.toUri(), s -> {
      String from = s.socket().getInetAddress().getHostAddress() + ":" + s.socket().getPort();
      Thread.ofVirtual().name("capnet-" + TRANSPORT + "-handshake " + from).start(() -> serve(s, from, incoming));
    });
  }

  /** On the connection's own thread: the handshake, then the handler. */
  private void serve(SocketChannel plain, String from, Consumer<Connection> incoming) {
    Connection c;
    try {
      plain.socket().setTcpNoDelay(true);
      SSLEngine engine = serverContext.createSSLEngine();
      engine.setUseClientMode(false);
      engine.setEnabledProtocols(PROTOCOLS);
      engine.setNeedClientAuth(true);
      EngineChannel tls = new EngineChannel(plain, engine);
      handshake(tls);
      String designator = Designators.base32(peerKey(engine.getSession(), "client"));
      c = wrap(tls, designator, from);
    } catch (IOException | RuntimeException e) {
      closeQuietly(plain);
      if (!closed) rejections.accept(TRANSPORT + " handshake from " + from + " failed: " + explain(e));
      return;
    }
    if (closed) {
      closeQuietly(c);
      return;
    }
    Thread.currentThread().setName("capnet-" + c.description());
    try {
      incoming.accept(c);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "connection handler failed for " + c.description(), e);
      closeQuietly(c);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing after a failure; nothing more to do
    }
  }

  /** The accept loop's thread, or null; for tests that check nothing is left behind. */
  Thread acceptThread() {
    lock.lock();
    try {
      return acceptThread;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean supports(NetlayerCapability capability) {
    return capability == NetlayerCapability.AUTHENTICATED_PEER;
  }

  /**
   * Stops the accept loop, closes the listening socket and aborts handshakes in progress;
   * returns once the loop has ended. Established connections belong to their sessions.
   */
  @Override
  public void close() throws IOException {
    Thread t;
    lock.lock();
    try {
      if (closed) return;
      closed = true;
      t = acceptThread;
    } finally {
      lock.unlock();
    }
    server.close();
    for (SocketChannel s : handshaking) closeQuietly(s);
    if (t != null) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return TRANSPORT + " netlayer " + locator;
  }
}
