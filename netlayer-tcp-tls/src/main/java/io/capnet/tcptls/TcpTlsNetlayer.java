package io.capnet.tcptls;

import io.capnet.locator.Designators;
import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.AcceptLoop;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.EventLoop;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
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
 * designator from its certificate. Every handshake runs on an {@link SSLEngine}, never on the
 * accept loop, and is closed at {@link TcpTlsOptions#handshakeTimeout()}: for a {@code Peer}
 * ({@code connect}/{@code accept} with an {@link EventLoop}) in the vat's loop, driven by
 * readiness ({@link LoopHandshake}), where the engine then stays; for the blocking
 * {@code connect}/{@code accept} on the caller's or a virtual thread.
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
  /** Handshakes in progress, closed when the netlayer closes: sockets (blocking) and LoopHandshakes. */
  private final Set<Closeable> handshaking = ConcurrentHashMap.newKeySet();
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

  /** Where a dial goes, from a locator checked in full before any socket is made. */
  private record Target(PeerLocator remote, byte[] expected, String host, int port) {
    String where() {
      return host + ":" + port;
    }
  }

  private Target target(PeerLocator remote) throws IOException {
    if (!remote.transport().equals(TRANSPORT)) {
      throw new IOException(TRANSPORT + " netlayer cannot reach transport " + remote.transport());
    }
    if (closed) throw closedException();
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
    return new Target(remote, expected, host, port);
  }

  private IOException closedException() {
    return new IOException(TRANSPORT + " netlayer " + locator + " is closed");
  }

  private SSLEngine dialEngine(Target t) {
    // No session resumption: SunJSSE caches client sessions by the peer host and port given
    // here, so each dial names a host of its own, which no later dial can find. The name is
    // not sent: SNI is off.
    SSLEngine engine = dialContext.createSSLEngine("capnet-dial-" + dials.incrementAndGet(), t.port());
    engine.setUseClientMode(true);
    SSLParameters params = engine.getSSLParameters();
    params.setProtocols(PROTOCOLS);
    params.setServerNames(List.of());
    engine.setSSLParameters(params);
    return engine;
  }

  /** After the dialler's handshake: the key proven is the one dialled (checked once more), and the connection. */
  private Connection dialled(EngineChannel tls, Target t, LoopHandshake.Handoff handoff) throws IOException {
    byte[] proven = peerKey(tls.engine.getSession(), "server");
    if (!Arrays.equals(proven, t.expected())) { // the trust manager checked already; belt and braces
      throw new IOException("the server's key is designator " + Designators.base32(proven)
          + ", not the dialled designator " + t.remote().designator());
    }
    return wrap(tls, t.remote().designator(), t.where(), handoff);
  }

  private static IOException connectFailed(Target t, Exception e) {
    return new IOException("cannot connect to " + TRANSPORT + " peer at " + t.where() + ": " + e, e);
  }

  private static IOException handshakeFailed(Target t, Exception e) {
    return new IOException(TRANSPORT + " handshake with " + t.where() + " failed: " + explain(e), e);
  }

  /** Blocking, on the caller's thread: the TCP connect, then the handshake. */
  @Override
  public Connection connect(PeerLocator remote) throws IOException {
    Target t = target(remote);
    SocketChannel plain = SocketChannel.open();
    try {
      plain.socket().setTcpNoDelay(true);
      plain.socket().connect(new InetSocketAddress(t.host(), t.port()), (int) options.connectTimeout().toMillis());
    } catch (IOException e) {
      plain.close();
      throw connectFailed(t, e);
    }
    try {
      SSLEngine engine = dialEngine(t);
      EngineChannel tls = new EngineChannel(plain, engine);
      dialTrust.pin(engine, t.expected());
      try {
        handshake(tls);
      } finally {
        dialTrust.unpin(engine);
      }
      return dialled(tls, t, null);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw handshakeFailed(t, e);
    }
  }

  /**
   * In the loop, with no thread of its own: a non-blocking TCP connect and the handshake, each
   * under its deadline. Only a host that is a name, not an address literal, is resolved on a
   * virtual thread first, as resolving blocks.
   */
  @Override
  public void connect(PeerLocator remote, EventLoop loop, BiConsumer<Connection, Throwable> done) {
    Target t;
    try {
      t = target(remote);
    } catch (IOException e) {
      inLoop(loop, () -> done.accept(null, e), null);
      return;
    }
    if (isAddressLiteral(t.host())) {
      inLoop(loop, () -> dialInLoop(t, new InetSocketAddress(t.host(), t.port()), loop, done), null);
      return;
    }
    Thread.ofVirtual().name("capnet-" + TRANSPORT + "-resolve " + t.host()).start(() -> {
      InetSocketAddress address = new InetSocketAddress(t.host(), t.port());
      inLoop(loop, () -> dialInLoop(t, address, loop, done), null);
    });
  }

  /** An IPv4 or IPv6 literal, which InetAddress parses without asking a resolver. */
  static boolean isAddressLiteral(String host) {
    return host.contains(":") || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  }

  private void dialInLoop(Target t, InetSocketAddress address, EventLoop loop, BiConsumer<Connection, Throwable> done) {
    if (closed) {
      done.accept(null, closedException());
      return;
    }
    if (address.isUnresolved()) {
      done.accept(null, connectFailed(t, new java.net.UnknownHostException(t.host())));
      return;
    }
    SocketChannel plain = null;
    boolean connected;
    try {
      plain = SocketChannel.open();
      plain.configureBlocking(false);
      plain.setOption(StandardSocketOptions.TCP_NODELAY, true);
      connected = plain.connect(address);
    } catch (IOException | RuntimeException e) {
      if (plain != null) closeQuietly(plain);
      done.accept(null, connectFailed(t, e));
      return;
    }
    SSLEngine engine = dialEngine(t);
    EngineChannel tls = new EngineChannel(plain, engine);
    dialTrust.pin(engine, t.expected());
    LoopHandshake[] self = new LoopHandshake[1];
    LoopHandshake h = new LoopHandshake(loop, tls, !connected, options.connectTimeout().toMillis(),
        options.handshakeTimeout().toMillis(), new LoopHandshake.Outcome() {
          @Override
          public void handshaken(LoopHandshake.Handoff handoff) {
            dialTrust.unpin(engine);
            handshaking.remove(self[0]);
            Connection c;
            try {
              if (closed) throw closedException();
              c = dialled(tls, t, handoff);
            } catch (IOException | RuntimeException e) {
              closeQuietly(tls.channel);
              done.accept(null, handshakeFailed(t, e));
              return;
            }
            done.accept(c, null);
          }

          @Override
          public void failed(Exception cause, boolean connecting) {
            dialTrust.unpin(engine);
            handshaking.remove(self[0]);
            done.accept(null, connecting ? connectFailed(t, cause) : handshakeFailed(t, cause));
          }
        });
    self[0] = h;
    handshaking.add(h);
    h.start();
    if (closed) h.close();
  }

  /** Runs {@code task} in {@code loop}, or closes {@code orClose} when the loop has stopped. */
  private static void inLoop(EventLoop loop, Runnable task, AutoCloseable orClose) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException stopped) {
      if (orClose != null) closeQuietly(orClose);
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

  private Connection wrap(EngineChannel tls, String peerDesignator, String where, LoopHandshake.Handoff handoff) {
    return new TlsConnection(tls, Codec.cbor(options.limits()),
        TRANSPORT + " " + where + " " + shortName(peerDesignator), peerDesignator, handoff);
  }

  private static String shortName(String designator) {
    return designator.length() > 12 ? designator.substring(0, 12) + "…" : designator;
  }

  // ---------------------------------------------------------------- listening

  /** Blocking handshakes, each on a virtual thread of its own; {@code incoming} runs there and may block. */
  @Override
  public void accept(Consumer<Connection> incoming) {
    Objects.requireNonNull(incoming, "incoming");
    startAccepting(s -> {
      String from = from(s);
      if (!admitHandshake(s, from)) return;
      Thread.ofVirtual().name("capnet-" + TRANSPORT + "-handshake " + from).start(() -> {
        try {
          serve(s, from, incoming);
        } finally {
          acceptedHandshakes.decrementAndGet();
        }
      });
    });
  }

  /** Handshakes in the loop, with no thread of their own; {@code incoming} runs in the loop. */
  @Override
  public void accept(EventLoop loop, Consumer<Connection> incoming) {
    Objects.requireNonNull(loop, "loop");
    Objects.requireNonNull(incoming, "incoming");
    startAccepting(s -> {
      String from = from(s);
      if (admitHandshake(s, from)) inLoop(loop, () -> handshakeInLoop(s, from, loop, incoming), s);
    });
  }

  /** Accepted connections still handshaking, against {@link TcpTlsOptions#maxHandshakes()}. */
  private final java.util.concurrent.atomic.AtomicInteger acceptedHandshakes = new java.util.concurrent.atomic.AtomicInteger();

  private boolean admitHandshake(SocketChannel s, String from) {
    if (acceptedHandshakes.incrementAndGet() <= options.maxHandshakes()) return true;
    acceptedHandshakes.decrementAndGet();
    closeQuietly(s);
    refused(from, new IOException("over " + options.maxHandshakes() + " TLS handshakes in progress (maxHandshakes)"));
    return false;
  }

  private void startAccepting(Consumer<SocketChannel> each) {
    lock.lock();
    try {
      if (acceptThread != null) throw new IllegalStateException("accept was already called");
      if (closed) return;
      acceptThread = Thread.ofVirtual()
          .name("capnet-" + TRANSPORT + "-accept " + server.socket().getLocalPort())
          .start(() -> AcceptLoop.run(server::accept, () -> closed, locator.toUri(), each));
    } finally {
      lock.unlock();
    }
  }

  private static String from(SocketChannel s) {
    return s.socket().getInetAddress().getHostAddress() + ":" + s.socket().getPort();
  }

  private SSLEngine serverEngine() {
    SSLEngine engine = serverContext.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(PROTOCOLS);
    engine.setNeedClientAuth(true);
    return engine;
  }

  private void refused(String from, Exception e) {
    if (!closed) rejections.accept(TRANSPORT + " handshake from " + from + " failed: " + explain(e));
  }

  private void handOver(Connection c, Consumer<Connection> incoming) {
    if (closed) {
      closeQuietly(c);
      return;
    }
    try {
      incoming.accept(c);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "connection handler failed for " + c.description(), e);
      closeQuietly(c);
    }
  }

  /** On the connection's own thread: the handshake, then the handler. */
  private void serve(SocketChannel plain, String from, Consumer<Connection> incoming) {
    Connection c;
    try {
      plain.socket().setTcpNoDelay(true);
      EngineChannel tls = new EngineChannel(plain, serverEngine());
      handshake(tls);
      c = wrap(tls, Designators.base32(peerKey(tls.engine.getSession(), "client")), from, null);
    } catch (IOException | RuntimeException e) {
      closeQuietly(plain);
      refused(from, e);
      return;
    }
    Thread.currentThread().setName("capnet-" + c.description());
    handOver(c, incoming);
  }

  /** In the loop: the handshake, driven by readiness, then the handler. */
  private void handshakeInLoop(SocketChannel plain, String from, EventLoop loop, Consumer<Connection> incoming) {
    EngineChannel tls;
    try {
      if (closed) throw closedException();
      plain.configureBlocking(false);
      plain.setOption(StandardSocketOptions.TCP_NODELAY, true);
      tls = new EngineChannel(plain, serverEngine());
    } catch (IOException | RuntimeException e) {
      acceptedHandshakes.decrementAndGet();
      closeQuietly(plain);
      refused(from, e);
      return;
    }
    LoopHandshake[] self = new LoopHandshake[1];
    LoopHandshake h = new LoopHandshake(loop, tls, false, 0, options.handshakeTimeout().toMillis(),
        new LoopHandshake.Outcome() {
          @Override
          public void handshaken(LoopHandshake.Handoff handoff) {
            handshaking.remove(self[0]);
            acceptedHandshakes.decrementAndGet();
            Connection c;
            try {
              c = wrap(tls, Designators.base32(peerKey(tls.engine.getSession(), "client")), from, handoff);
            } catch (IOException | RuntimeException e) {
              closeQuietly(plain);
              refused(from, e);
              return;
            }
            handOver(c, incoming);
          }

          @Override
          public void failed(Exception cause, boolean connecting) {
            handshaking.remove(self[0]);
            acceptedHandshakes.decrementAndGet();
            refused(from, cause);
          }
        });
    self[0] = h;
    handshaking.add(h);
    h.start();
    if (closed) h.close();
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
    for (Closeable h : handshaking) closeQuietly(h);
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
