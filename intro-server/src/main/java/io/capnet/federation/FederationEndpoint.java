package io.capnet.federation;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.captp.SessionInfo;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.ForwardingConnection;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Record;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The side of a federation link that owns the servers (host B): serves, over tcp-tls, an object
 * whose {@code connect labels} connects through this host's Switchboard, and splices each
 * connection made that way with a data connection the remote link opens over the same tcp-tls
 * listener. See spec/federation.md.
 */
public final class FederationEndpoint implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("io.capnet.federation");
  static final String DATA_HELLO = "capnet-federation-data";
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Federated connections one remote host may have made and not yet claimed by its data connection. */
  static final int MAX_PENDING_PER_HOST = 64;
  private final Map<String, Integer> pendingPerHost = new java.util.HashMap<>(); // guarded by itself

  private boolean reserve(String host) {
    synchronized (pendingPerHost) {
      int n = pendingPerHost.getOrDefault(host, 0);
      if (n >= MAX_PENDING_PER_HOST) return false;
      pendingPerHost.put(host, n + 1);
      return true;
    }
  }

  private void release(String host) {
    synchronized (pendingPerHost) {
      Integer n = pendingPerHost.get(host);
      if (n == null) return;
      if (n <= 1) pendingPerHost.remove(host);
      else pendingPerHost.put(host, n - 1);
    }
  }

  private final Switchboard switchboard;
  private final Peer peer;
  private final Duration claimWithin;
  private final ScheduledExecutorService timer;
  private final Map<Bytes, Pending> pending = new ConcurrentHashMap<>();
  private final String uri;

  private record Pending(String designator, Descriptor socket) {}

  private FederationEndpoint(Switchboard switchboard, Netlayer tcpTls, Duration claimWithin) {
    this.switchboard = switchboard;
    this.claimWithin = claimWithin;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "federation-timer");
      t.setDaemon(true);
      return t;
    });
    this.peer = Peer.builder().name("federation-endpoint").netlayer(new DataOrSessions(tcpTls)).build();
    Ref endpoint = peer.spawn(Methods.builder().on("connect", a -> connect(a)).build());
    this.uri = peer.export(endpoint).toUri();
  }

  /**
   * Serves {@code switchboard} (through which every remote connect goes: its rights and labels
   * bound what the other host can reach) on {@code tcpTls}.
   */
  public static FederationEndpoint serve(Switchboard switchboard, Netlayer tcpTls) {
    return new FederationEndpoint(switchboard, tcpTls, Duration.ofSeconds(10));
  }

  /** The sturdyref a link enlivens: a secret; anyone holding it can connect through this host. */
  public String sturdyref() {
    return uri;
  }

  private Object connect(List<Object> args) {
    if (args.size() != 1) throw new IllegalArgumentException("connect takes labels");
    Labels labels = Labels.fromValue(args.get(0), "federated connect labels");
    SessionInfo caller = Peer.caller().orElseThrow(() -> new IllegalStateException("connect must come over a session"));
    String designator = caller.connection().authenticatedDesignator()
        .orElseThrow(() -> new IllegalStateException("federation needs an authenticated link (tcp-tls)"));
    io.capnet.captp.Deferred answer = peer.deferred();
    // The server here learns which host the client is on, as the TLS key proved it.
    Labels asked = labels.with(FederationLink.FEDERATION_PEER, designator);
    if (!reserve(designator)) {
      answer.breakWith(new io.capnet.value.OcapnError("RESOURCE_EXHAUSTED: this host already has "
          + MAX_PENDING_PER_HOST + " federated connections it has not claimed (maxPendingFederatedConnects)"));
      return answer.promise();
    }
    Thread.ofVirtual().name("federation-connect").start(() -> {
      Switchboard.Introduction intro = null;
      Bytes token = null;
      try {
        intro = switchboard.connect(asked);
        byte[] t = new byte[32];
        RANDOM.nextBytes(t);
        token = Bytes.of(t);
        Bytes claim = token;
        pending.put(token, new Pending(designator, intro.socket()));
        timer.schedule(() -> {
          Pending p = pending.remove(claim);
          if (p != null) {
            release(p.designator());
            LOG.log(Level.INFO, "a federated connection was not claimed within " + claimWithin.toMillis() + " ms");
            p.socket().close();
          }
        }, claimWithin.toMillis(), TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, "federated connect from " + designator + ": " + intro.labels().toLogString());
        answer.fulfill(List.of(token, intro.labels().toValue()));
      } catch (SwitchboardException e) {
        release(designator);
        answer.breakWith(new io.capnet.value.OcapnError(e.getMessage()));
      } catch (RuntimeException e) {
        // Anything else (the endpoint closing under us) still settles the answer, and the
        // socket it would have carried is closed, not left behind.
        if (token == null || pending.remove(token) != null) release(designator);
        if (intro != null) intro.socket().close();
        answer.breakWith(new io.capnet.value.OcapnError("federated connect failed: " + e.getMessage()));
      }
    });
    return answer.promise();
  }

  /** A data connection's first frame named a token: splice it with the connection it stands for. */
  private void data(Connection c, Record hello) {
    Pending p = hello.size() == 1 && hello.field(0) instanceof Bytes token ? pending.remove(token) : null;
    if (p != null) release(p.designator());
    String who = c.authenticatedDesignator().orElse("");
    if (p == null || !p.designator().equals(who)) {
      LOG.log(Level.INFO, "refused a federation data connection from " + who + ": "
          + (p == null ? "unknown or expired token" : "the token was issued to " + p.designator()));
      if (p != null) p.socket().close();
      closeQuietly(c);
      return;
    }
    try {
      Splice.start(p.socket(), c, "federated to " + who);
    } catch (IOException e) {
      p.socket().close();
      closeQuietly(c);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    peer.close();
    timer.shutdownNow();
    pending.values().forEach(p -> p.socket().close());
    pending.clear();
  }

  /**
   * The endpoint's netlayer: a connection whose first frame is a data hello is a data
   * connection; any other goes to the CapTP peer, first frame included.
   */
  private final class DataOrSessions implements Netlayer {
    private final Netlayer inner;

    DataOrSessions(Netlayer inner) {
      this.inner = inner;
    }

    @Override public String transport() { return inner.transport(); }
    @Override public PeerLocator locator() { return inner.locator(); }
    @Override public Connection connect(PeerLocator remote) throws IOException { return inner.connect(remote); }
    @Override public boolean supports(NetlayerCapability c) { return inner.supports(c); }
    @Override public void close() throws IOException { inner.close(); }

    @Override
    public void accept(Consumer<Connection> sessions) throws IOException {
      inner.accept(c -> {
        var silence = timer.schedule(() -> closeQuietly(c), claimWithin.toMillis(), TimeUnit.MILLISECONDS);
        Object first;
        try {
          first = c.receive();
        } catch (IOException e) {
          closeQuietly(c);
          return;
        } finally {
          silence.cancel(false);
        }
        if (first instanceof Record r && r.hasLabel(DATA_HELLO)) data(c, r);
        else if (first != null) sessions.accept(new Replaying(c, first));
        else closeQuietly(c);
      });
    }
  }

  /** A connection whose first message was already read. */
  private static final class Replaying extends ForwardingConnection {
    private Object first;

    Replaying(Connection delegate, Object first) {
      super(delegate);
      this.first = first;
    }

    @Override
    public Object receive() throws IOException {
      if (first != null) {
        Object m = first;
        first = null;
        return m;
      }
      return delegate.receive();
    }

    /** The first message reaches the session before anything the delegate reads after it. */
    @Override
    public io.capnet.netlayer.Link attach(io.capnet.netlayer.EventLoop loop, io.capnet.netlayer.Link.Receiver receiver)
        throws IOException {
      Object m = first;
      first = null;
      if (m == null) return delegate.attach(loop, receiver);
      FirstThenRest inOrder = new FirstThenRest(m, receiver);
      io.capnet.netlayer.Link link = delegate.attach(loop, inOrder);
      loop.execute(inOrder::replay);
      return link;
    }
  }

  /** Hands on the message read before the attach ahead of the first one the link delivers. */
  private static final class FirstThenRest implements io.capnet.netlayer.Link.Receiver {
    private final io.capnet.netlayer.Link.Receiver receiver;
    private Object first; // loop-confined

    FirstThenRest(Object first, io.capnet.netlayer.Link.Receiver receiver) {
      this.first = first;
      this.receiver = receiver;
    }

    void replay() {
      Object m = first;
      first = null;
      if (m != null) receiver.received(m);
    }

    @Override
    public void received(Object message) {
      replay();
      receiver.received(message);
    }

    @Override
    public void ended(IOException cause) {
      replay();
      receiver.ended(cause);
    }
  }
}
