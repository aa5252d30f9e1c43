package io.capnet.netlayer;

import io.capnet.value.Descriptor;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Link} for a {@link Connection} that can only block: a reader thread and a writer
 * thread, each handing over to the loop. This is the slow path (two hand-offs each way) that
 * the netlayers on non-blocking channels avoid; it serves connections that have no such form.
 */
public final class ThreadedLink implements Link {
  private static final OutboundFrame CLOSE = new OutboundFrame(new byte[0], List.of());
  /** Decoded messages waiting for the loop before the reader stops reading. */
  static final int MAX_QUEUED_INBOUND = 1024;
  /** After a failed write, how long the reader may still deliver the peer's last frame. */
  static final long WRITE_FAILURE_GRACE_MS = 200;

  private final Connection connection;
  private final EventLoop loop;
  private final Link.Receiver receiver;
  private final LinkedBlockingQueue<OutboundFrame> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Semaphore window = new Semaphore(MAX_QUEUED_INBOUND);
  private final Thread reader;
  private final Thread writer;
  private volatile boolean closing; // no more deliveries
  private volatile boolean closed;
  private boolean ended; // loop-confined

  ThreadedLink(Connection connection, EventLoop loop, Link.Receiver receiver) {
    this.connection = connection;
    this.loop = loop;
    this.receiver = receiver;
    String name = connection.description();
    writer = Thread.ofPlatform().daemon(true).name("capnet-writer " + name).start(this::writeLoop);
    reader = Thread.ofPlatform().daemon(true).name("capnet-reader " + name).start(this::readLoop);
  }

  private void readLoop() {
    try {
      while (true) {
        Object message = connection.receive();
        if (message == null) {
          deliverEnd(null);
          if (closing) close();
          return;
        }
        window.acquire();
        loop.execute(() -> {
          window.release();
          if (!closing && !ended) receiver.received(message);
          else io.capnet.value.Descriptor.closeAllIn(message);
        });
      }
    } catch (io.capnet.codec.DecodeException e) {
      deliverEnd(e);
    } catch (IOException e) {
      deliverEnd(new IOException("connection lost: " + e.getMessage(), e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      deliverEnd(new IOException("could not read a frame: " + e, e));
    }
  }

  private void deliverEnd(IOException cause) {
    try {
      loop.execute(() -> end(cause));
    } catch (RuntimeException stopped) {
      close();
    }
  }

  private void end(IOException cause) {
    if (ended || closing) return;
    ended = true;
    receiver.ended(cause);
  }

  private void writeLoop() {
    try {
      while (true) {
        OutboundFrame f = queue.take();
        long sent = 0; // counted as queued until flushed: a close must not cut them off
        while (f != null) {
          if (f == CLOSE) {
            connection.flush();
            queuedBytes.addAndGet(-sent);
            return;
          }
          try {
            connection.send(f.bytes(), f.descriptors());
          } finally {
            f.closeDescriptors();
          }
          sent += f.bytes().length;
          f = queue.poll();
        }
        connection.flush();
        queuedBytes.addAndGet(-sent);
      }
    } catch (IOException e) {
      if (!closed) {
        // A peer that aborted and closed makes our write fail while its op:abort may still wait
        // to be read: the reader gets a moment to deliver it first.
        loop.schedule(WRITE_FAILURE_GRACE_MS, () -> end(new IOException("could not write to the peer: "
            + e.getMessage(), e)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // Any failure on the write path ends the session with a reason: never a silent writer.
      if (!closed) loop.execute(() -> end(new IOException("could not write to the peer: " + e, e)));
    } finally {
      discardQueued();
    }
  }

  @Override
  public void send(byte[] message, List<Descriptor> descriptors) {
    OutboundFrame f = new OutboundFrame(message, descriptors);
    if (closing || closed) {
      f.closeDescriptors();
      return;
    }
    queuedBytes.addAndGet(message.length);
    queue.add(f);
    if (closed) discardQueued();
  }

  @Override
  public long queuedBytes() {
    return queuedBytes.get();
  }

  @Override
  public void reading(boolean on) {
    // The reader's window already bounds what waits for the loop.
  }

  @Override
  public void closeAfterFlush(long lingerMillis) {
    if (closing) return;
    closing = true;
    queue.add(CLOSE);
    loop.schedule(lingerMillis, this::close);
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  @Override
  public void close() {
    closing = true;
    if (closed) return;
    closed = true;
    try {
      connection.close();
    } catch (IOException | RuntimeException e) {
      // closing after the end; nothing more to report
    }
    writer.interrupt();
    discardQueued();
  }

  private synchronized void discardQueued() {
    for (OutboundFrame f; (f = queue.poll()) != null; ) f.closeDescriptors();
  }

  /** Waits for both threads, after {@link #close()}; for a peer that must leave no thread. */
  public void join(Duration patience) throws InterruptedException {
    writer.join(patience);
    reader.join(patience);
  }
}
