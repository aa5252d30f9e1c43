package io.capnet.switchboard;

import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.AcceptLoop;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.ForwardingConnection;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.unix.UnixConnections;
import io.capnet.unix.UnixLimits;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;

/**
 * The daemon's side of the unix netlayer: accepts on the listening socket, and serves the
 * handle sockets the daemon makes itself. It never dials.
 */
final class DaemonNetlayer implements Netlayer {
  private static final System.Logger LOG = System.getLogger("io.capnet.switchboard");

  private final AFUNIXServerSocketChannel server;
  private final PeerLocator locator;
  private final UnixLimits unixLimits;
  private final Codec codec;
  private volatile Consumer<Connection> incoming;
  private volatile boolean closed;
  private Thread acceptor;

  /** A connection on a handle socket: its bootstrap fetch gets that handle. */
  static final class HandleConnection extends ForwardingConnection {
    private final Handle handle;

    HandleConnection(Connection delegate, Handle handle) {
      super(delegate);
      this.handle = handle;
    }

    Handle handle() {
      return handle;
    }
  }

  DaemonNetlayer(AFUNIXServerSocketChannel server, PeerLocator locator, UnixLimits unixLimits, Admission admission,
      Duration firstByteDeadline) {
    this.server = server;
    this.locator = locator;
    this.unixLimits = unixLimits;
    this.codec = Codec.cbor();
    this.admission = admission;
    this.firstByteDeadline = firstByteDeadline;
    FirstByteSniffer made;
    try {
      made = new FirstByteSniffer(firstByteDeadline);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("could not open the first-byte selector", e);
    }
    this.sniffer = made;
  }

  private final FirstByteSniffer sniffer;

  private final Admission admission;
  private final Duration firstByteDeadline;
  // Made after the core, which needs this netlayer's peer; connections wait for it.
  final CompletableFuture<UdsIntroductions> uds = new CompletableFuture<>();

  @Override
  public String transport() {
    return "unix";
  }

  @Override
  public PeerLocator locator() {
    return locator;
  }

  @Override
  public Connection connect(PeerLocator remote) throws IOException {
    throw new IOException("the Switchboard daemon does not dial out");
  }

  @Override
  public synchronized void accept(Consumer<Connection> incoming) {
    this.incoming = incoming;
    acceptor = Thread.ofPlatform().name("switchboard-accept").daemon(true).start(this::acceptLoop);
  }

  private void acceptLoop() {
    AcceptLoop.run(server::accept, () -> closed, "the switchboard socket", ch -> {
      UnixSocket socket = UnixSockets.adopt(ch);
      var credentials = socket.peerCredentials();
      String who = credentials.map(c -> "pid " + c.pid() + " uid " + c.uid()).orElse("unknown peer");
      StringBuilder refusal = new StringBuilder();
      Admission.Ticket ticket = admission.admit(credentials.map(c -> c.uid()).orElse(-1L), refusal);
      if (ticket == null) {
        // Said once per refusal, cut short: a flood of them must not flood the log as well.
        LOG.log(Level.INFO, "refused a connection from " + who + ": " + refusal);
        try {
          socket.close();
        } catch (IOException e) {
          LOG.log(Level.DEBUG, "closing a refused connection", e);
        }
        return;
      }
      LOG.log(Level.INFO, "connection from " + who);
      // Its first byte tells the protocol (spec/uds.md section 5); reading it must not hold up accept.
      sniffer.add(socket, (s, first) -> route(s, first, ticket, who));
    });
  }

  /** Routes a connection by its first byte: '<' to the introduction protocol, else the Switchboard's own. */
  private void route(UnixSocket socket, UnixSockets.FirstByte first, Admission.Ticket ticket, String who) {
    if (first == null) {
      LOG.log(Level.INFO, "connection from " + who + " ended, or sent nothing within "
          + firstByteDeadline.toMillis() + " ms");
      ticket.closed();
      return;
    }
    if (first.value() == '<') {
      // The introduction protocol is blocking, one virtual thread per connection (spec/uds.md).
      Thread.ofVirtual().name("switchboard-uds " + who).start(() -> uds.join().serve(socket, first, ticket, who));
      return;
    }
    deliver(new Admission.Admitted(UnixConnections.overAfterFirstByte(socket, unixLimits, codec,
        "switchboard client " + who, first), ticket));
  }

  /** Serves a socket the daemon made for {@code handle}. */
  void serve(UnixSocket socket, Handle handle) {
    deliver(new HandleConnection(
        UnixConnections.over(socket, unixLimits, codec, "switchboard handle socket " + handle), handle));
  }

  private void deliver(Connection c) {
    Consumer<Connection> to = incoming;
    if (to == null || closed) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "closing " + c.description(), e);
      }
      return;
    }
    to.accept(c);
  }

  /** junixsocket's selector: the vat's loop watches these sockets itself. */
  @Override
  public java.nio.channels.spi.SelectorProvider selectorProvider() {
    return org.newsclub.net.unix.AFUNIXSelectorProvider.provider();
  }

  @Override
  public boolean supports(NetlayerCapability capability) {
    return capability == NetlayerCapability.DESCRIPTORS;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    sniffer.close();
  }
}
