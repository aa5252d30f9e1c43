package io.capnet.captp;

import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A minimal in-process network for protocol tests: encoded frames travel through queues, and a
 * test can count and inspect every frame each side sends.
 */
final class QueueNetwork {
  private final Codec codec;

  QueueNetwork() {
    this(Codec.syrup());
  }

  QueueNetwork(Codec codec) {
    this.codec = codec;
  }

  private final Map<String, Layer> layers = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  Layer netlayer(String designator) {
    Layer l = new Layer(PeerLocator.of(designator, "memory"));
    layers.put(designator, l);
    return l;
  }

  /** A raw connection into {@code designator}'s netlayer, for a scripted fake peer. */
  Pipe dial(String designator) throws IOException {
    Layer l = layers.get(designator);
    if (l == null || l.incoming == null) throw new IOException("no such peer " + designator);
    Pipe[] pair = Pipe.pair("fake-" + ids.incrementAndGet(), codec);
    Thread.ofVirtual().start(() -> l.incoming.accept(pair[1]));
    return pair[0];
  }

  final class Layer implements Netlayer {
    final PeerLocator locator;
    volatile Consumer<Connection> incoming;
    /** Frames this layer's connections sent, decoded, in order. */
    final LinkedBlockingQueue<Object> sent = new LinkedBlockingQueue<>();

    Layer(PeerLocator locator) {
      this.locator = locator;
    }

    @Override
    public String transport() {
      return "memory";
    }

    @Override
    public PeerLocator locator() {
      return locator;
    }

    @Override
    public Connection connect(PeerLocator remote) throws IOException {
      Layer other = layers.get(remote.designator());
      if (other == null || other.incoming == null) throw new IOException("no such peer " + remote.designator());
      Pipe[] pair = Pipe.pair(locator.designator() + "->" + remote.designator(), codec);
      pair[0].tap = sent;
      pair[1].tap = other.sent;
      Consumer<Connection> in = other.incoming;
      Thread.ofVirtual().start(() -> in.accept(pair[1]));
      return pair[0];
    }

    @Override
    public void accept(Consumer<Connection> incoming) {
      this.incoming = c -> {
        if (c instanceof Pipe p && p.tap == null) p.tap = sent;
        incoming.accept(c);
      };
    }

    @Override
    public boolean supports(NetlayerCapability capability) {
      return false;
    }

    @Override
    public void close() {
      layers.remove(locator.designator(), this);
    }
  }

  /** One end of a queue pair. */
  static final class Pipe implements Connection {
    private static final byte[] EOF = new byte[0];
    private final String name;
    private final Codec codec;
    private LinkedBlockingQueue<byte[]> in;
    private LinkedBlockingQueue<byte[]> out;
    private volatile boolean closed;
    volatile LinkedBlockingQueue<Object> tap;
    private Pipe peer;

    private Pipe(String name, Codec codec) {
      this.name = name;
      this.codec = codec;
    }

    static Pipe[] pair(String name, Codec codec) {
      Pipe a = new Pipe(name + "/a", codec);
      Pipe b = new Pipe(name + "/b", codec);
      a.in = new LinkedBlockingQueue<>();
      b.in = new LinkedBlockingQueue<>();
      a.out = b.in;
      b.out = a.in;
      a.peer = b;
      b.peer = a;
      return new Pipe[] {a, b};
    }

    @Override
    public Codec codec() {
      return codec;
    }

    @Override
    public Object receive() throws IOException {
      try {
        byte[] b = in.take();
        if (b == EOF) {
          in.add(EOF);
          return null;
        }
        return codec.decode(b);
      } catch (InterruptedException e) {
        throw new IOException("interrupted");
      }
    }

    /** Sends a value as this side (for fake peers). */
    void sendValue(Object v) throws IOException {
      send(Codec.syrup().encode(v), List.of());
    }

    void sendRaw(byte[] bytes) throws IOException {
      send(bytes, List.of());
    }

    @Override
    public void send(byte[] message, List<Descriptor> descriptors) throws IOException {
      if (closed || peer.closed) throw new IOException("connection closed");
      LinkedBlockingQueue<Object> t = tap;
      if (t != null) {
        try {
          t.add(Codec.syrup().decode(message));
        } catch (IOException e) {
          t.add(e);
        }
      }
      out.add(message.clone());
    }

    @Override
    public void flush() {}

    @Override
    public boolean supports(NetlayerCapability capability) {
      return false;
    }

    @Override
    public String description() {
      return "pipe " + name;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      out.add(EOF);
      in.add(EOF);
    }
  }
}
