package io.capnet.netlayer;

import io.capnet.value.Descriptor;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.List;

/**
 * A {@link Link} over a non-blocking channel, driven by the loop's selector: reads go through a
 * {@link FrameReader} straight to the receiver, and writes queue in an {@link OutboundBuffer}
 * that is written before the loop next waits, and again whenever the socket has room. Netlayers
 * subclass it for their framing and what rides beside the bytes (descriptors, TLS).
 *
 * <pre>
 *  readable --> readOnce --> frame(...) --> receiver.received(message)    (one thread: the loop)
 *  send(...) --> append to the outbound buffer --> before wait / writable --> write(...)
 * </pre>
 */
public abstract class ChannelLink implements Link {
  private static final System.Logger LOG = System.getLogger("io.capnet.netlayer");
  /** The most bytes one write hands the transport, so one connection cannot hog the loop. */
  protected static final int MAX_WRITE = 256 * 1024;
  /** Reads per readiness event before the loop serves others. */
  private static final int READS_PER_EVENT = 4;

  protected final EventLoop loop;
  protected final Link.Receiver receiver;
  protected final OutboundBuffer out = new OutboundBuffer();
  private final SelectableChannel channel;
  private final FrameReader reader;
  private final String description;
  private EventLoop.Registration registration;
  private final long maxFrameMillis;
  private long unfinishedSince; // System.nanoTime() when the frame held unfinished began; 0: none
  private long unfinishedAt; // that frame's stream offset
  private EventLoop.Cancellable frameTimer;
  private boolean reading = true;
  private boolean flushScheduled;
  private boolean closing;
  private boolean outputShut;
  private boolean ended;
  private boolean closed;

  /**
   * The largest frame before the peer's {@code op:start-session} is accepted: a peer that has not
   * said who it is may cost us no more than that (an {@code op:start-session} is a few hundred bytes).
   */
  public static final int PRE_START_FRAME_BYTES = 64 * 1024;

  protected ChannelLink(EventLoop loop, SelectableChannel channel, Link.Receiver receiver, FrameReader reader,
      String description) {
    this(loop, channel, receiver, reader, description, io.capnet.codec.DecodeLimits.DEFAULT.maxFrameMillis());
  }

  /** @param maxFrameMillis the longest a frame may take to arrive whole ({@code DecodeLimits}) */
  protected ChannelLink(EventLoop loop, SelectableChannel channel, Link.Receiver receiver, FrameReader reader,
      String description, long maxFrameMillis) {
    this.maxFrameMillis = maxFrameMillis;
    this.loop = loop;
    this.channel = channel;
    this.receiver = receiver;
    this.reader = reader;
    this.description = description;
    reader.limitUntilStarted(PRE_START_FRAME_BYTES);
  }

  @Override
  public final void sessionStarted() {
    reader.started();
  }

  /** Registers with the loop; call once the subclass is ready to read. */
  protected final void start() throws IOException {
    channel.configureBlocking(false);
    registration = loop.register(channel, SelectionKey.OP_READ, this::ready);
  }

  /**
   * Like {@link #start()}, over the registration the (non-blocking) channel already has in this
   * loop, e.g. from a handshake run there: a channel cannot leave a selector before the next
   * select, so it keeps its place. {@code retarget} is handed this link's readiness handler, to
   * point the registration's callback at it.
   */
  protected final void start(EventLoop.Registration existing, java.util.function.Consumer<java.util.function.IntConsumer> retarget) {
    retarget.accept(this::ready);
    registration = existing;
    existing.interestOps(SelectionKey.OP_READ);
  }

  /** One non-blocking read into {@code dst}: the count, 0 if nothing was ready, -1 at the end. */
  protected abstract int read(ByteBuffer dst) throws IOException;

  /** Decodes one whole frame and hands it on, or only releases what it carries if {@code drop}. */
  protected abstract void frame(byte[] b, int off, int len, long streamOffset, boolean drop) throws IOException;

  /** Appends one framed message (and notes its descriptors) to {@link #out}. */
  protected abstract void append(byte[] message, List<Descriptor> descriptors) throws IOException;

  /** Writes what {@link #out} holds, as far as the socket takes it; returns the bytes written. */
  protected int write() throws IOException {
    return out.writeTo(this::writeBytes, MAX_WRITE);
  }

  /** One non-blocking write of {@code src}. */
  protected abstract int writeBytes(ByteBuffer src) throws IOException;

  /** Half-closes: no more bytes will be written. */
  protected abstract void shutdownOutput() throws IOException;

  /** Closes the channel and everything the link still holds (queued or received descriptors). */
  protected abstract void closeResources();

  /**
   * Whether input waits inside the link (opened TLS records) that no readiness event will
   * announce; the loop then reads again at once. False by default.
   */
  protected boolean hasBufferedInput() {
    return false;
  }

  /** Reads what is buffered inside the link, as a readiness event would. */
  protected final void readBuffered() {
    if (!closed) readAvailable();
  }

  /** Bytes waiting beyond {@link #out} (e.g. sealed TLS records); 0 by default. */
  protected long queuedBeyond() {
    return 0;
  }

  /** After each read's whole frames are cut: the reader holds the start of the next, if any. */
  protected void afterCut(FrameReader reader) throws IOException {}

  /** Called once, before a close that first writes what is queued: the last chance to queue it. */
  protected void closingSoon() {}

  /** Bytes queued that cannot be written yet (not counted as pending writes); for the limit. */
  protected long heldBytes() {
    return 0;
  }

  public final String description() {
    return description;
  }

  private void ready(int ops) {
    if (closed) return;
    if ((ops & SelectionKey.OP_WRITE) != 0) flush();
    if ((ops & SelectionKey.OP_READ) != 0 && !closed) readAvailable();
  }

  private void readAvailable() {
    try {
      // A hung-up peer's key is gone: no later event will come, so read to the end now.
      boolean hungUp = registration != null && !registration.isValid();
      for (int i = 0; (i < READS_PER_EVENT || hungUp) && !closed && (reading || closing || hungUp); i++) {
        int n = reader.readOnce(this::read, this::deliver);
        if (n > 0 && !closed) afterCut(reader);
        if (n < 0) {
          endOfStream();
          return;
        }
        if (n == 0) break;
      }
      if (!closed && (reading || closing) && hasBufferedInput()) loop.execute(this::readBuffered);
      if (!closed) trackUnfinishedFrame();
    } catch (io.capnet.codec.DecodeException e) {
      fail(e);
    } catch (IOException e) {
      fail(new IOException("connection lost: " + e.getMessage(), e));
    } catch (RuntimeException e) {
      fail(new IOException("could not read a frame: " + e, e));
    } catch (OutOfMemoryError e) {
      fail(new IOException("out of memory reading a frame of " + reader.pendingBytes() + " bytes", e));
    }
  }

  /** A frame that has begun must arrive whole within {@link #maxFrameMillis}, or the link ends. */
  private void trackUnfinishedFrame() {
    if (reader.pendingBytes() == 0) {
      unfinishedSince = 0;
      return;
    }
    if (unfinishedSince != 0 && reader.consumed() == unfinishedAt) return; // the same frame, still coming
    unfinishedSince = System.nanoTime();
    unfinishedAt = reader.consumed();
    if (frameTimer == null) frameTimer = loop.schedule(maxFrameMillis, this::checkUnfinishedFrame);
  }

  private void checkUnfinishedFrame() {
    frameTimer = null;
    if (closed || unfinishedSince == 0) return;
    // Reading paused by our own back-pressure is not the peer's delay: its clock starts again.
    if (!reading && !closing) unfinishedSince = System.nanoTime();
    long left = maxFrameMillis - (System.nanoTime() - unfinishedSince) / 1_000_000;
    if (left > 0) {
      frameTimer = loop.schedule(left, this::checkUnfinishedFrame);
      return;
    }
    fail(new IOException("a frame stayed unfinished for over " + maxFrameMillis + " ms (maxFrameMillis): "
        + reader.pendingBytes() + " bytes of it arrived"));
  }

  private boolean deliver(byte[] b, int off, int len, long at) throws IOException {
    frame(b, off, len, at, closing || closed || ended);
    return !closed;
  }

  private void endOfStream() {
    if (closing) {
      close();
      return;
    }
    interest(SelectionKey.OP_READ, false);
    end(null);
  }

  /** Ends the link with {@code cause}: the receiver hears it once, then the link closes. */
  protected final void fail(IOException cause) {
    if (closing) {
      close();
      return;
    }
    end(cause);
  }

  private void end(IOException cause) {
    if (ended || closed) return;
    ended = true;
    try {
      receiver.ended(cause);
    } finally {
      if (!closing && !closed && cause != null) close();
    }
  }

  @Override
  public final void send(byte[] message, List<Descriptor> descriptors) {
    if (closing || closed) {
      new OutboundFrame(message, descriptors).closeDescriptors();
      return;
    }
    try {
      append(message, descriptors);
    } catch (IOException | RuntimeException e) {
      new OutboundFrame(message, descriptors).closeDescriptors();
      fail(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
      return;
    }
    if (!flushScheduled) {
      flushScheduled = true;
      loop.beforeWait(this::flush);
    }
    if (out.size() >= eagerAt) writeEarly();
  }

  /**
   * A turn that sends much (a loop of sendOnly, a large answer) writes as it goes, each time
   * another {@link #EAGER_WRITE_BYTES} are queued, so the peer reads while we still encode.
   */
  static final int EAGER_WRITE_BYTES = 64 * 1024;
  private int eagerAt = EAGER_WRITE_BYTES;
  private IOException earlyWriteFailure;

  private void writeEarly() {
    try {
      while (!out.isEmpty() && earlyWriteFailure == null) {
        if (write() == 0) break;
      }
    } catch (IOException e) {
      earlyWriteFailure = e; // ended by the flush before the loop waits, outside this turn
    } catch (RuntimeException e) {
      earlyWriteFailure = new IOException(e.toString(), e);
    }
    eagerAt = out.size() + EAGER_WRITE_BYTES; // a full socket costs one try per 64 KiB, not per send
  }

  /** Writes what is queued, as far as the socket takes it, and watches for room for the rest. */
  protected final void flush() {
    flushScheduled = false;
    eagerAt = EAGER_WRITE_BYTES;
    if (closed) return;
    if (earlyWriteFailure != null) {
      writeFailed(earlyWriteFailure);
      return;
    }
    try {
      while (!out.isEmpty() || queuedBeyond() > 0) {
        if (write() == 0) break;
      }
    } catch (IOException e) {
      writeFailed(e);
      return;
    } catch (RuntimeException e) {
      writeFailed(new IOException(e.toString(), e)); // any failure on the write path ends the session
      return;
    }
    boolean pending = !out.isEmpty() || queuedBeyond() > 0;
    interest(SelectionKey.OP_WRITE, pending);
    if (!pending && closing && !outputShut) {
      outputShut = true;
      try {
        shutdownOutput();
      } catch (IOException e) {
        close();
      }
    }
  }

  private void writeFailed(IOException e) {
    if (closing) {
      close();
      return;
    }
    // A peer that aborted and closed makes our write fail while its op:abort may still be
    // unread: read what it sent first, so the session ends with the peer's reason.
    readAvailable();
    end(new IOException("could not write to the peer: " + e.getMessage(), e));
  }

  private void interest(int op, boolean on) {
    if (registration == null || closed) return;
    int ops = registration.interestOps();
    int want = on ? ops | op : ops & ~op;
    if (want != ops) registration.interestOps(want);
  }

  @Override
  public final long queuedBytes() {
    return out.size() + queuedBeyond() + heldBytes();
  }

  @Override
  public final void reading(boolean on) {
    reading = on;
    if (!ended) interest(SelectionKey.OP_READ, on);
  }

  @Override
  public final void closeAfterFlush(long lingerMillis) {
    if (closing || closed) return;
    closingSoon();
    closing = true;
    interest(SelectionKey.OP_READ, true); // drain the peer's input until it closes
    loop.schedule(lingerMillis, this::close);
    flush();
  }

  @Override
  public final boolean isOpen() {
    return !closed;
  }

  @Override
  public final void close() {
    if (closed) return;
    closed = true;
    closing = true;
    if (frameTimer != null) frameTimer.cancel();
    if (registration != null) registration.cancel();
    out.clear();
    try {
      closeResources();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "closing " + description, e);
    }
  }

  protected final boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return description;
  }
}
