package io.capnet.netlayer;

import io.capnet.codec.DecodeLimits;
import io.capnet.locator.PeerLocator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A network inside one JVM whose connections are {@link Connections#bareSyrup} over
 * {@link BytePipe}s that move one byte per read and per write, as okio's tests do. Session
 * tests run over it so that every partial-read path under a CapTP session gets exercised. Each
 * netlayer has transport {@value #TRANSPORT} and locator {@code ocapn://<designator>.onebyte}.
 * Test code only.
 */
public final class OneByteAtATimeNetwork {
  public static final String TRANSPORT = "onebyte";
  /** Bytes one direction holds before its writer blocks. */
  static final int PIPE_CAPACITY = 16 * 1024;

  private final ConcurrentHashMap<String, Layer> layers = new ConcurrentHashMap<>();

  public OneByteAtATimeNetwork() {}

  public Netlayer netlayer(String designator) {
    Layer l = new Layer(PeerLocator.of(designator, TRANSPORT));
    if (layers.putIfAbsent(designator, l) != null) {
      throw new IllegalStateException("designator " + designator + " is already registered");
    }
    return l;
  }

  /** Two connected ends; closing either lets the other read end of stream. */
  static Connection[] pair(String clientName, String serverName) {
    BytePipe toServer = new BytePipe(PIPE_CAPACITY);
    BytePipe toClient = new BytePipe(PIPE_CAPACITY);
    Connection client = Connections.bareSyrup(
        BytePipe.oneByteAtATime(toClient.input()), BytePipe.oneByteAtATime(toServer.output()),
        () -> {
          toServer.closeWriter();
          toClient.closeReader();
        },
        DecodeLimits.DEFAULT, clientName);
    Connection server = Connections.bareSyrup(
        BytePipe.oneByteAtATime(toServer.input()), BytePipe.oneByteAtATime(toClient.output()),
        () -> {
          toClient.closeWriter();
          toServer.closeReader();
        },
        DecodeLimits.DEFAULT, serverName);
    return new Connection[] {client, server};
  }

  private final class Layer implements Netlayer {
    private final PeerLocator locator;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Connection> pending = new ArrayList<>();
    private Consumer<Connection> acceptor;
    private boolean closed;

    Layer(PeerLocator locator) {
      this.locator = locator;
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
        throw new IOException("onebyte netlayer cannot reach transport " + remote.transport());
      }
      Layer target = layers.get(remote.designator());
      if (target == null) throw new IOException("no onebyte peer " + remote.designator());
      String me = locator.designator();
      String them = remote.designator();
      Connection[] ends = pair("onebyte " + me + " -> " + them, "onebyte " + them + " <- " + me);
      if (!target.offer(ends[1])) {
        ends[0].close();
        ends[1].close();
        throw new IOException("no onebyte peer " + them + " (it is closed)");
      }
      return ends[0];
    }

    private boolean offer(Connection c) {
      lock.lock();
      try {
        if (closed) return false;
        if (acceptor == null) pending.add(c);
        else deliver(acceptor, c);
        return true;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void accept(Consumer<Connection> incoming) {
      Objects.requireNonNull(incoming, "incoming");
      lock.lock();
      try {
        if (acceptor != null) throw new IllegalStateException("accept was already called");
        acceptor = incoming;
        pending.forEach(c -> deliver(incoming, c));
        pending.clear();
      } finally {
        lock.unlock();
      }
    }

    private void deliver(Consumer<Connection> to, Connection c) {
      Thread.ofVirtual().name("capnet-onebyte-accept " + c.description()).start(() -> to.accept(c));
    }

    @Override
    public boolean supports(NetlayerCapability capability) {
      return false;
    }

    @Override
    public void close() throws IOException {
      List<Connection> refused;
      lock.lock();
      try {
        if (closed) return;
        closed = true;
        refused = List.copyOf(pending);
        pending.clear();
      } finally {
        lock.unlock();
      }
      layers.remove(locator.designator(), this);
      for (Connection c : refused) c.close();
    }
  }
}
