package io.capnet.switchboard;

import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import org.newsclub.net.unix.AFUNIXSelectorProvider;

/**
 * Reads the first byte of each accepted connection, which tells the Switchboard's protocol from
 * the introduction protocol (spec/uds.md section 5), on one thread for all of them: a selector
 * over the sockets still silent, each closed at its deadline. So a flood of silent connections
 * costs no thread each, and no connection waits for another's first byte.
 */
final class FirstByteSniffer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("io.capnet.switchboard");

  private record Waiting(UnixSocket socket, BiConsumer<UnixSocket, UnixSockets.FirstByte> then, long deadline) {}

  private final Selector selector;
  private final Duration deadline;
  private final ConcurrentLinkedQueue<Waiting> added = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  FirstByteSniffer(Duration deadline) throws IOException {
    this.deadline = deadline;
    this.selector = AFUNIXSelectorProvider.provider().openSelector();
    this.thread = Thread.ofPlatform().name("switchboard-first-byte").daemon(true).start(this::run);
  }

  /**
   * Calls {@code then} with the socket (blocking again) and its first byte, or with null once the
   * socket has ended, failed or missed the deadline (the socket is then closed): at once, on the
   * caller's thread, when the byte is already there (a client that spoke as it connected), else
   * later on this reader's thread.
   */
  void add(UnixSocket socket, BiConsumer<UnixSocket, UnixSockets.FirstByte> then) {
    Waiting w = new Waiting(socket, then, System.nanoTime() + deadline.toNanos());
    try {
      socket.channel().configureBlocking(false);
      UnixSockets.FirstByte b = UnixSockets.tryReadFirstByte(socket);
      if (b != null) {
        finish(w, b, null); // no hand-off to this thread, and no selector registration to undo
        return;
      }
    } catch (IOException | RuntimeException e) {
      finish(w, null, null);
      return;
    }
    added.add(w);
    selector.wakeup();
  }

  private void run() {
    while (!closed) {
      try {
        for (Waiting w; (w = added.poll()) != null; ) {
          try {
            w.socket().channel().configureBlocking(false);
            w.socket().channel().register(selector, SelectionKey.OP_READ, w);
          } catch (IOException | RuntimeException e) {
            finish(w, null, null);
          }
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (SelectionKey k : selector.keys()) next = Math.min(next, ((Waiting) k.attachment()).deadline());
        long waitMs = next == Long.MAX_VALUE ? 0 : Math.max(1, (next - now) / 1_000_000);
        selector.select(waitMs);
        List<SelectionKey> done = new ArrayList<>();
        for (SelectionKey k : selector.selectedKeys()) {
          Waiting w = (Waiting) k.attachment();
          UnixSockets.FirstByte b;
          try {
            b = UnixSockets.tryReadFirstByte(w.socket());
            if (b == null) continue;
          } catch (IOException e) {
            b = null;
          }
          done.add(k);
          k.cancel();
          finishLater(k, w, b);
        }
        selector.selectedKeys().clear();
        now = System.nanoTime();
        for (SelectionKey k : selector.keys()) {
          Waiting w = (Waiting) k.attachment();
          if (k.isValid() && now - w.deadline() >= 0) {
            k.cancel();
            finishLater(k, w, null);
          }
        }
        selector.selectNow(); // deregisters the cancelled keys, so their sockets may block again
        for (Runnable r : pending) r.run();
        pending.clear();
      } catch (IOException | RuntimeException e) {
        if (!closed) LOG.log(Level.WARNING, "the first-byte reader failed; going on", e);
      }
    }
  }

  private final List<Runnable> pending = new ArrayList<>();

  private void finishLater(SelectionKey k, Waiting w, UnixSockets.FirstByte b) {
    pending.add(() -> finish(w, b, k));
  }

  private void finish(Waiting w, UnixSockets.FirstByte b, SelectionKey k) {
    if (b != null && b.value() >= 0) {
      try {
        w.socket().channel().configureBlocking(true);
      } catch (IOException | RuntimeException e) {
        b.close();
        b = null;
      }
    }
    if (b == null || b.value() < 0) {
      try {
        w.socket().close();
      } catch (IOException e) {
        // closing a connection that is over anyway
      }
      b = null;
    }
    try {
      w.then().accept(w.socket(), b);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "handling a connection's first byte failed", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SelectionKey k : selector.keys()) {
      try {
        ((Waiting) k.attachment()).socket().close();
      } catch (IOException e) {
        // closing at the end
      }
    }
    for (Waiting w; (w = added.poll()) != null; ) {
      try {
        w.socket().close();
      } catch (IOException e) {
        // closing at the end
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      // closing at the end
    }
  }
}
