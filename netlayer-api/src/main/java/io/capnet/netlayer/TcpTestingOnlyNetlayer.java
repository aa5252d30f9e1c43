package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * <b>INSECURE.</b> The OCapN {@code tcp-testing-only} netlayer: plain TCP carrying Syrup in one of
 * the {@link SyrupFraming}s, with no authentication and no encryption. Anyone who can reach the port can connect, and
 * anyone on the path can read and change the traffic. It exists for interoperability tests
 * against the OCapN test suite and other implementations only; never make it a default.
 */
final class TcpTestingOnlyNetlayer implements Netlayer {
  static final String TRANSPORT = "tcp-testing-only";
  static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final System.Logger LOG = System.getLogger(TcpTestingOnlyNetlayer.class.getName());

  private final ServerSocketChannel server;
  private final PeerLocator locator;
  private final SyrupFraming dialFraming;
  private final ReentrantLock lock = new ReentrantLock();
  private Thread acceptThread; // guarded by lock
  private volatile boolean closed;

  TcpTestingOnlyNetlayer(String designator, String host, int port, SyrupFraming dialFraming) throws IOException {
    Objects.requireNonNull(designator, "designator");
    this.dialFraming = Objects.requireNonNull(dialFraming, "dialFraming");
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    server = ServerSocketChannel.open();
    try {
      server.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      Map<String, String> hints = new LinkedHashMap<>();
      hints.put("host", server.socket().getInetAddress().getHostAddress());
      hints.put("port", Integer.toString(server.socket().getLocalPort()));
      locator = PeerLocator.of(designator, TRANSPORT, hints);
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot listen on " + host + ":" + port + ": " + e, e);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    LOG.log(Level.WARNING, "INSECURE tcp-testing-only netlayer listening at {0}: plain TCP with no "
        + "authentication or encryption, for interoperability tests only, never a default", locator);
  }

  @Override
  public String transport() {
    return TRANSPORT;
  }

  @Override
  public PeerLocator locator() {
    return locator;
  }

  @Override
  public Connection connect(PeerLocator remote) throws IOException {
    if (!remote.transport().equals(TRANSPORT)) {
      throw new IOException(TRANSPORT + " netlayer cannot reach transport " + remote.transport());
    }
    if (closed) throw new IOException(TRANSPORT + " netlayer " + locator + " is closed");
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
    SocketChannel s = SocketChannel.open();
    try {
      s.socket().setTcpNoDelay(true);
      s.socket().connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      s.close();
      throw new IOException("cannot connect to " + TRANSPORT + " peer at " + host + ":" + port + ": " + e, e);
    }
    return wrap(s, dialFraming);
  }

  private static IOException missing(PeerLocator remote, String hint) {
    return new IOException(TRANSPORT + " locator " + remote + " has no \"" + hint + "\" hint");
  }

  /** {@code framing} null: a listener's, told by the peer's first bytes. */
  private static Connection wrap(SocketChannel s, SyrupFraming framing) throws IOException {
    try {
      s.socket().setTcpNoDelay(true);
      Codec codec = Codec.syrup();
      long max = codec.limits().maxValueBytes();
      int depth = codec.limits().maxDepth();
      return new StreamConnection(s, framing == null ? SyrupFramer.listening(max, depth)
          : SyrupFramer.dialling(framing, max, depth), codec,
          TRANSPORT + " " + s.socket().getInetAddress().getHostAddress() + ":" + s.socket().getPort());
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

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
      Connection c;
      try {
        c = wrap(s, null);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "dropping incoming connection on " + locator + ": " + e);
        return;
      }
      Thread.ofVirtual().name("capnet-" + c.description()).start(() -> {
        try {
          incoming.accept(c);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "connection handler failed for " + c.description(), e);
          try {
            c.close();
          } catch (IOException ignored) {
            // closing after a failure; nothing more to do
          }
        }
      });
    });
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
    return false;
  }

  /** Stops the accept loop and closes the listening socket; returns once the loop has ended. */
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
