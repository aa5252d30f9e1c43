package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeContext;
import io.capnet.locator.PeerLocator;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A network inside one JVM, for tests and for peers that share a process. Each netlayer on it
 * has transport {@code "memory"} and locator {@code ocapn://<designator>.memory}.
 *
 * <p>A connection is two one-way queues of encoded frames. Each direction holds at most
 * {@value #MAX_FRAMES} frames, so a sender blocks while its peer does not read, as on a socket.
 * Frames are copied when sent and decoded by the receiver's codec, so encoding mistakes and
 * limits show up as they would on a wire. Closing one end lets the other drain what was sent and
 * then read {@code null}; its sends then fail with "connection closed". After a local close,
 * {@code receive()} returns {@code null}.
 *
 * <p>Connections made before the called netlayer's {@code accept} are held until it is called.
 */
public final class InMemoryNetwork {
  /** The frames one direction of a connection holds before its sender blocks. */
  public static final int MAX_FRAMES = 1024;

  static final String TRANSPORT = "memory";

  private final ConcurrentHashMap<String, MemoryNetlayer> netlayers = new ConcurrentHashMap<>();
  private final String transport;
  private final Wire wire;

  /** Makes the two ends of a new connection; tests plug in other transports (one byte at a time). */
  @FunctionalInterface
  interface Wire {
    Connection[] pair(String clientName, Codec clientCodec, String serverName, Codec serverCodec);
  }

  InMemoryNetwork(String transport, Wire wire) {
    this.transport = transport;
    this.wire = wire;
  }

  public static InMemoryNetwork create() {
    return new InMemoryNetwork(TRANSPORT, (clientName, clientCodec, serverName, serverCodec) -> {
      Pipe there = new Pipe();
      Pipe back = new Pipe();
      return new Connection[] {
        new MemoryConnection(back, there, clientCodec, clientName),
        new MemoryConnection(there, back, serverCodec, serverName)
      };
    });
  }

  /**
   * Registers a netlayer with the Syrup codec and default limits.
   *
   * @throws IllegalStateException if {@code designator} is already registered and not closed
   * @throws io.capnet.locator.LocatorException if it cannot be a designator
   */
  public Netlayer netlayer(String designator) {
    return netlayer(designator, Codec.syrup());
  }

  /** Registers a netlayer whose connections decode with {@code codec} (and its limits). */
  public Netlayer netlayer(String designator, Codec codec) {
    PeerLocator locator = PeerLocator.of(designator, transport);
    MemoryNetlayer n = new MemoryNetlayer(locator, Objects.requireNonNull(codec, "codec"));
    if (netlayers.putIfAbsent(designator, n) != null) {
      throw new IllegalStateException("designator " + designator + " is already registered on this network");
    }
    return n;
  }

  private final class MemoryNetlayer implements Netlayer {
    private final PeerLocator locator;
    private final Codec codec;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Connection> pending = new ArrayList<>();
    private Consumer<Connection> acceptor;
    private boolean closed;

    MemoryNetlayer(PeerLocator locator, Codec codec) {
      this.locator = locator;
      this.codec = codec;
    }

    @Override
    public String transport() {
      return transport;
    }

    @Override
    public PeerLocator locator() {
      return locator;
    }

    @Override
    public Connection connect(PeerLocator remote) throws IOException {
      if (!remote.transport().equals(transport)) {
        throw new IOException(transport + " netlayer cannot reach transport " + remote.transport());
      }
      if (isClosed()) throw new IOException(transport + " netlayer " + locator.designator() + " is closed");
      MemoryNetlayer target = netlayers.get(remote.designator());
      if (target == null) throw new IOException("no in-memory peer " + remote.designator());
      String me = locator.designator();
      String them = remote.designator();
      Connection[] ends = wire.pair(transport + " " + me + " -> " + them, codec,
          transport + " " + them + " <- " + me, target.codec);
      if (!target.offer(ends[1])) {
        closeQuietly(ends[0]);
        closeQuietly(ends[1]);
        throw new IOException("no in-memory peer " + them + " (it is closed)");
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
        if (closed) return;
        acceptor = incoming;
        pending.forEach(c -> deliver(incoming, c));
        pending.clear();
      } finally {
        lock.unlock();
      }
    }

    private void deliver(Consumer<Connection> to, Connection c) {
      Thread.ofVirtual().name("capnet-" + transport + "-accept " + c.description()).start(() -> to.accept(c));
    }

    private boolean isClosed() {
      lock.lock();
      try {
        return closed;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean supports(NetlayerCapability capability) {
      return false;
    }

    /** Unregisters the designator and refuses the connections not yet accepted. */
    @Override
    public void close() {
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
      netlayers.remove(locator.designator(), this);
      refused.forEach(InMemoryNetwork::closeQuietly);
    }

    @Override
    public String toString() {
      return transport + " netlayer " + locator;
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (IOException e) {
      // refusing a connection nobody has used; nothing to report
    }
  }

  /** One direction of a connection: a bounded queue of frames. */
  private static final class Pipe {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private boolean senderClosed;
    private boolean receiverClosed;
    private PushTarget target; // set once the receiving end is attached to a loop

    /** Frames go straight to {@code t} from now on, after those already queued. */
    void push(PushTarget t) {
      lock.lock();
      try {
        target = t;
        for (byte[] f; (f = frames.poll()) != null; ) t.frame(f);
        if (senderClosed) t.end();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void put(byte[] frame) throws IOException {
      lock.lock();
      try {
        if (target != null) {
          if (senderClosed || receiverClosed) throw new IOException("connection closed");
          target.frame(frame);
          return;
        }
        while (frames.size() >= MAX_FRAMES && !senderClosed && !receiverClosed) await(notFull);
        if (senderClosed || receiverClosed) throw new IOException("connection closed");
        frames.add(frame);
        notEmpty.signal();
      } finally {
        lock.unlock();
      }
    }

    /** The next frame, or null once the receiver closed, or the sender closed and all is read. */
    byte[] take() throws IOException {
      lock.lock();
      try {
        while (frames.isEmpty() && !senderClosed && !receiverClosed) await(notEmpty);
        if (receiverClosed) return null;
        byte[] f = frames.poll();
        if (f != null) notFull.signal();
        return f;
      } finally {
        lock.unlock();
      }
    }

    void closeSender() {
      close(true);
    }

    void closeReceiver() {
      close(false);
    }

    private void close(boolean sender) {
      lock.lock();
      try {
        if (sender) {
          if (!senderClosed && target != null && !receiverClosed) target.end();
          senderClosed = true;
        } else {
          receiverClosed = true;
          frames.clear();
        }
        notEmpty.signalAll();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }

    private static void await(Condition c) throws InterruptedIOException {
      try {
        c.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
    }
  }

  /** The receiving side of a pipe once it runs on a loop. Called under the pipe's lock. */
  private interface PushTarget {
    void frame(byte[] frame);

    void end();
  }

  private static final class MemoryConnection implements Connection {
    private final Pipe in;
    private final Pipe out;
    private final Codec codec;
    private final String description;

    MemoryConnection(Pipe in, Pipe out, Codec codec, String description) {
      this.in = in;
      this.out = out;
      this.codec = codec;
      this.description = description;
    }

    @Override
    public Codec codec() {
      return codec;
    }

    @Override
    public Object receive() throws IOException {
      byte[] frame = in.take();
      return frame == null ? null : codec.decode(frame, 0, frame.length, DecodeContext.NONE);
    }

    @Override
    public void send(byte[] message, List<Descriptor> descriptors) throws IOException {
      Objects.requireNonNull(message, "message");
      if (!descriptors.isEmpty()) throw new IOException("this connection cannot carry file descriptors");
      out.put(message.clone());
    }

    @Override
    public void flush() {}

    /** Frames are decoded in the receiving loop; a round trip costs two hand-offs, no threads. */
    @Override
    public Link attach(EventLoop loop, Link.Receiver receiver) {
      MemoryLink link = new MemoryLink(loop, receiver);
      in.push(link);
      return link;
    }

    private final class MemoryLink implements Link, PushTarget {
      private final EventLoop loop;
      private final Link.Receiver receiver;
      private boolean done; // loop-confined: closed or ended

      MemoryLink(EventLoop loop, Link.Receiver receiver) {
        this.loop = loop;
        this.receiver = receiver;
      }

      @Override
      public void frame(byte[] frame) {
        loop.execute(() -> {
          if (done) return;
          Object message;
          try {
            message = codec.decode(frame, 0, frame.length, DecodeContext.NONE);
          } catch (DecodeException e) {
            done = true;
            receiver.ended(e);
            return;
          }
          receiver.received(message);
        });
      }

      @Override
      public void end() {
        loop.execute(() -> {
          if (done) return;
          done = true;
          receiver.ended(null);
        });
      }

      @Override
      public void send(byte[] message, List<Descriptor> descriptors) {
        if (!descriptors.isEmpty()) {
          new OutboundFrame(message, descriptors).closeDescriptors();
          fail(new IOException("this connection cannot carry file descriptors"));
          return;
        }
        try {
          out.put(message.clone());
        } catch (IOException e) {
          // The peer's last frames (its op:abort) are already queued in this loop: they go first.
          loop.execute(() -> fail(e));
        }
      }

      private void fail(IOException e) {
        if (done) return;
        done = true;
        receiver.ended(new IOException("could not write to the peer: " + e.getMessage(), e));
      }

      @Override
      public long queuedBytes() {
        return 0;
      }

      @Override
      public void reading(boolean on) {}

      @Override
      public void closeAfterFlush(long lingerMillis) {
        close();
      }

      private boolean closed;

      @Override
      public boolean isOpen() {
        return !closed;
      }

      @Override
      public void close() {
        done = true;
        closed = true;
        MemoryConnection.this.close();
      }
    }

    @Override
    public boolean supports(NetlayerCapability capability) {
      return false;
    }

    @Override
    public String description() {
      return description;
    }

    @Override
    public void close() {
      out.closeSender();
      in.closeReceiver();
    }

    @Override
    public String toString() {
      return description;
    }
  }
}
