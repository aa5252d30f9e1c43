package io.capnet.unix;

import io.capnet.codec.DecodeException;
import io.capnet.netlayer.FrameReader;
import io.capnet.netlayer.Framers;
import io.capnet.netlayer.PeerCredentials;
import io.capnet.value.Descriptor;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * {@link UdsStream} over a blocking AF_UNIX socket. Records are cut by scanning their extent and
 * decoded whole; descriptors are matched by stream offset ({@link ReceivedFds}): the only ones
 * accepted are those of the read that ends the SCM_RIGHTS body after a {@code uds:new-connection}.
 */
final class UdsSocket implements UdsStream {
  private final UnixSocket socket;
  private final AFUNIXSocketChannel channel;
  private final Uds.SignatureForm form;
  private final ScheduledExecutorService timer;
  private final Duration writeDeadline;
  private final String description;
  private final Optional<PeerCredentials> peer;
  private final int maxFdsPerRead;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();

  // Reader thread only.
  private final ReceivedFds received = new ReceivedFds();
  private final FrameReader.Framer framer = Framers.bareSyrup(Uds.LIMITS.maxDepth());
  private final ByteBuffer in = ByteBuffer.allocate(Uds.MAX_RECORD_BYTES + 256); // unread: [position, limit)
  private long offset; // stream offset of in.position()
  private boolean awaitingDescriptor;
  private boolean failed;

  UdsSocket(UnixSocket socket, UnixSockets.FirstByte first, Uds.SignatureForm form, ScheduledExecutorService timer,
      Duration writeDeadline, String description) {
    this.socket = Objects.requireNonNull(socket, "socket");
    this.channel = socket.channel();
    this.form = Objects.requireNonNull(form, "form");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.writeDeadline = Objects.requireNonNull(writeDeadline, "writeDeadline");
    this.description = Objects.requireNonNull(description, "description");
    this.maxFdsPerRead = AncillaryBuffers.prepare(channel, true);
    this.peer = socket.peerCredentials();
    in.flip();
    if (first != null) {
      in.limit(1);
      in.put(0, (byte) first.value());
      received.first(first);
    }
  }

  @Override
  public Received read() throws IOException {
    if (awaitingDescriptor) throw new IllegalStateException("read the descriptor of the uds:new-connection first");
    return guarded(this::readRecord);
  }

  private Received readRecord() throws IOException {
    framer.reset();
    triedAt = -1;
    while (true) {
      if (received.heldBatches() > 1) throw strays();
      long n = in.hasRemaining() ? framer.frameLength(in.array(), in.position(), in.remaining(), offset) : -1;
      if (n > 0) {
        byte[] bytes = Arrays.copyOfRange(in.array(), in.position(), in.position() + (int) n);
        long end = offset + n;
        in.position(in.position() + (int) n);
        offset = end;
        long fdEnd = received.firstHeldEnd();
        if (fdEnd >= 0 && fdEnd <= end) throw strays();
        Uds.Message m;
        try {
          m = Uds.decode(bytes, 0, bytes.length);
        } catch (Uds.MalformedException e) {
          throw new ProtocolException(e.getMessage());
        } catch (DecodeException e) {
          throw new ProtocolException("malformed Syrup at byte " + (end - n + e.offset()) + " of the stream: " + e.getMessage());
        }
        if (m instanceof Uds.NewConnection) {
          awaitingDescriptor = true;
        } else if (fdEnd >= 0) {
          throw strays();
        }
        return new Received(m, bytes);
      }
      if (in.remaining() >= Uds.MAX_RECORD_BYTES) {
        throw new ProtocolException("a record at byte " + offset + " is longer than " + Uds.MAX_RECORD_BYTES
            + " bytes (maxUdsRecordBytes)");
      }
      if (fill() < 0) {
        if (onlyWhitespace()) return null;
        throw new ProtocolException("the stream ended inside a record, after " + in.remaining() + " bytes of it");
      }
      checkUnfinished();
    }
  }

  private int triedAt = -1; // bytes of the unfinished record when the decoder last looked at them

  /**
   * Lets the decoder see an unfinished record, so that a declared length over the limits is
   * refused when it arrives rather than waited for. Only while it is short, or each time it
   * has grown by 1 KiB: a record that dribbles in costs no more than a few decodes of itself.
   */
  private void checkUnfinished() throws ProtocolException {
    int n = in.remaining();
    if (n == 0 || (n > 1024 && n < triedAt + 1024)) return;
    triedAt = n;
    try {
      Uds.LIMITS_CODEC.decode(in.array(), in.position(), n, io.capnet.codec.DecodeContext.NONE);
    } catch (DecodeException e) {
      if (e.rule() == DecodeException.Rule.TRUNCATED || e.rule() == DecodeException.Rule.TRAILING_BYTES) return;
      throw new ProtocolException("malformed Syrup at byte " + (offset + e.offset()) + " of the stream: " + e.getMessage());
    }
  }

  private ProtocolException strays() {
    int k = received.held();
    return new ProtocolException(Fds.count(k, "file descriptor", "file descriptors") + " arrived outside the"
        + " SCM_RIGHTS message that follows a uds:new-connection; only that message carries one");
  }

  private boolean onlyWhitespace() {
    for (int i = in.position(); i < in.limit(); i++) {
      byte c = in.get(i);
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    }
    return true;
  }

  @Override
  public Descriptor readDescriptor() throws IOException {
    if (!awaitingDescriptor) throw new IllegalStateException("no uds:new-connection was read");
    return guarded(() -> {
      long recordEnd = offset;
      while (received.held() == 0) {
        if (in.remaining() > MAX_BODY_BYTES) {
          throw new ProtocolException("uds:new-connection must be followed by an SCM_RIGHTS message with one"
              + " descriptor; " + in.remaining() + " bytes came without one");
        }
        if (fill() < 0) throw new ProtocolException("the stream ended before the SCM_RIGHTS message of uds:new-connection");
      }
      long bodyEnd = received.firstHeldEnd();
      FileDescriptor[] fds = received.drain();
      if (fds.length != 1) {
        Fds.closeAll(fds);
        throw new ProtocolException("the SCM_RIGHTS message of uds:new-connection carries exactly one descriptor, not "
            + fds.length);
      }
      long body = bodyEnd - recordEnd;
      if (body < 1 || body > MAX_BODY_BYTES || body > in.remaining()) {
        Fds.closeAll(fds);
        throw new ProtocolException("the SCM_RIGHTS message of uds:new-connection has a body of " + body
            + " bytes; it has 1 to " + MAX_BODY_BYTES);
      }
      in.position(in.position() + (int) body);
      offset += body;
      awaitingDescriptor = false;
      return Descriptor.adopt(fds[0]);
    });
  }

  private interface Step<T> {
    T run() throws IOException;
  }

  private <T> T guarded(Step<T> step) throws IOException {
    if (failed) throw new IOException(description + ": unusable after an earlier error");
    try {
      return step.run();
    } catch (IOException | RuntimeException e) {
      failed = true;
      received.closeAll();
      throw e;
    }
  }

  /** One read, keeping what is unread; -1 at end of stream. */
  private int fill() throws IOException {
    in.compact();
    try {
      return received.read(channel, in, in.remaining(), maxFdsPerRead, description);
    } finally {
      in.flip();
    }
  }

  @Override
  public void write(Uds.Message m) throws IOException {
    byte[] bytes = Uds.encode(m, form);
    withDeadline(() -> writeAll(ByteBuffer.wrap(bytes)));
  }

  @Override
  public void writeIntroduction(byte[] record, Descriptor d) throws IOException {
    if (!d.isOpen()) throw new IOException(description + ": the descriptor to hand on is closed");
    withDeadline(() -> {
      writeAll(ByteBuffer.wrap(record));
      channel.setOutboundFileDescriptors(d.fileDescriptor());
      try {
        writeAll(ByteBuffer.wrap(new byte[] {0}));
      } finally {
        if (channel.hasOutboundFileDescriptors()) channel.setOutboundFileDescriptors((FileDescriptor[]) null);
      }
    });
  }

  private interface Io {
    void run() throws IOException;
  }

  private void withDeadline(Io io) throws IOException {
    writeLock.lock();
    var cut = timer.schedule(this::close, writeDeadline.toMillis(), TimeUnit.MILLISECONDS);
    try {
      if (closed.get()) throw new IOException(description + ": closed");
      io.run();
    } catch (IOException e) {
      if (cut.isDone()) {
        throw new IOException(description + ": a write did not finish within " + writeDeadline.toMillis()
            + " ms (the peer is not reading); closed", e);
      }
      throw e;
    } finally {
      cut.cancel(false);
      writeLock.unlock();
    }
  }

  private void writeAll(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) channel.write(b);
  }

  @Override
  public void abort(String reason) {
    try {
      write(new Uds.Abort(reason));
    } catch (IOException | RuntimeException e) {
      // the peer is gone or not reading; closing is all that is left
    } finally {
      close();
    }
  }

  @Override
  public Optional<PeerCredentials> peerCredentials() {
    return peer;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    try {
      socket.close();
    } catch (IOException e) {
      // closing; nothing more to report
    } finally {
      received.closeAll();
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
