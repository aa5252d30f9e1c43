package io.capnet.unix;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeContext;
import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.netlayer.PeerCredentials;
import io.capnet.value.Descriptor;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A {@link Connection} over an AF_UNIX stream socket whose frames carry file descriptors.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               length (u32, big-endian, >= 1)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   fd count    |        message (length bytes) ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ^ SCM_RIGHTS with exactly "fd count" descriptors rides on the
 *    sendmsg that carries this byte, the first of the frame
 * </pre>
 *
 * <p>Descriptors are matched to frames by position in the stream (see {@link ReceivedFds}), so
 * one can never be taken for another frame's. Every mismatch ends the connection with a
 * {@link DecodeException} (rule {@code descriptor-slot}) and closes every descriptor received.
 * See {@code spec/unix.md}.
 */
final class UnixConnection implements Connection {
  static final int HEADER_BYTES = 5;
  // The blocking form's two direct buffers, made on first use (an attached connection has
  // none); kept small, larger frames stream through them.
  static final int BUFFER = 16 * 1024;
  // A header can claim maxValueBytes for the cost of 5 bytes, so the body buffer grows with the
  // bytes that really arrive instead of being allocated at the declared size.
  private static final int FIRST_CHUNK = 64 * 1024;

  private final UnixSocket socket;
  private final AFUNIXSocketChannel channel;
  private final UnixLimits limits;
  private final Codec codec;
  private final String description;
  private final Optional<PeerCredentials> peer;
  private final int maxFdsPerRead;
  private final int readChunk;
  private final int writeChunk;

  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();
  // Made on first blocking use: a connection attached to a loop never needs them.
  private ByteBuffer out; // filling: [0, position); guarded by writeLock

  // Reader thread only.
  private ByteBuffer in; // unread: [position, limit)
  private final ReceivedFds received = new ReceivedFds();
  private long consumed; // stream offset of in.position()
  private boolean failed;
  UnixSockets.FirstByte prefix; // the byte read before this connection was made, or null; set once, before use

  /**
   * @param wideAncillaryBuffer false keeps junixsocket's 60-descriptor receive buffer
   * @param readChunk the most bytes one read asks for; 1 for one-byte-at-a-time tests
   * @param writeChunk the most bytes one write hands the socket
   */
  UnixConnection(UnixSocket socket, UnixLimits limits, Codec codec, String description,
      boolean wideAncillaryBuffer, int readChunk, int writeChunk) {
    this.socket = Objects.requireNonNull(socket, "socket");
    this.channel = socket.channel();
    this.limits = Objects.requireNonNull(limits, "limits");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.description = Objects.requireNonNull(description, "description");
    if (!channel.isBlocking()) throw new IllegalArgumentException("the channel must be blocking");
    if (readChunk < 1 || writeChunk < 1) throw new IllegalArgumentException("chunks must be positive");
    this.readChunk = readChunk;
    this.writeChunk = writeChunk;
    this.maxFdsPerRead = AncillaryBuffers.prepare(channel, wideAncillaryBuffer);
    this.peer = socket.peerCredentials();
  }

  @Override
  public Codec codec() {
    return codec;
  }

  /** Moves onto the loop: junixsocket's non-blocking channel, read and written by the loop. */
  @Override
  public io.capnet.netlayer.Link attach(io.capnet.netlayer.EventLoop loop, io.capnet.netlayer.Link.Receiver receiver)
      throws IOException {
    if (consumed != 0 || received.readEnd() != 0 || closed.get()) {
      throw new IllegalStateException(description + ": attach before any receive, on an open connection");
    }
    return UnixLink.open(loop, socket, receiver, limits, codec, description, maxFdsPerRead, readChunk, writeChunk,
        prefix);
  }

  /**
   * {@inheritDoc}
   *
   * <p>After this side's {@link #close()}, including one made while this call was blocked,
   * returns {@code null}: the local close is not an error of the stream. After any error every
   * descriptor received is closed and later calls throw.
   */
  @Override
  public Object receive() throws IOException {
    if (closed.get()) return null;
    if (failed) throw new IOException(description + ": unusable after an earlier receive error");
    try {
      return readFrame();
    } catch (IOException | RuntimeException e) {
      failed = true;
      received.closeAll();
      if (closed.get()) return null;
      throw e;
    }
  }

  private Object readFrame() throws IOException {
    if (in == null) {
      in = ByteBuffer.allocateDirect(BUFFER);
      if (prefix != null) {
        in.put((byte) prefix.value());
        received.first(prefix);
      }
      in.flip();
    }
    long frameStart = consumed;
    while (in.remaining() < HEADER_BYTES) {
      if (read() < 0) {
        int got = in.remaining();
        if (got == 0) {
          received.settle(Long.MAX_VALUE);
          return null;
        }
        throw new DecodeException(Rule.TRUNCATED, frameStart,
            "stream ended after " + got + " of the " + HEADER_BYTES + " bytes of a frame header");
      }
    }
    long length = in.getInt() & 0xffffffffL;
    int fdCount = in.get() & 0xff;
    consumed += HEADER_BYTES;
    int max = codec.limits().maxValueBytes();
    if (length > max) {
      throw new DecodeException(Rule.VALUE_TOO_LARGE, frameStart,
          "frame declares " + length + " bytes, over maxValueBytes " + max);
    }
    if (length == 0) {
      throw new DecodeException(Rule.MALFORMED_VALUE, frameStart, "frame declares 0 bytes");
    }
    if (fdCount > limits.maxFdsPerFrame()) {
      throw new DecodeException(Rule.DESCRIPTOR_SLOT, frameStart, "frame declares "
          + Fds.count(fdCount, "fd", "fds") + ", over maxFdsPerFrame " + limits.maxFdsPerFrame());
    }
    FrameFds fds = new FrameFds(received.claim(frameStart, fdCount));
    try {
      int n = (int) length;
      byte[] body = new byte[Math.min(n, FIRST_CHUNK)];
      int have = 0;
      while (have < n) {
        if (!in.hasRemaining() && read() < 0) {
          throw new DecodeException(Rule.TRUNCATED, frameStart,
              "stream ended after " + have + " of the " + n + " bytes of a frame");
        }
        if (have == body.length) body = Arrays.copyOf(body, (int) Math.min(n, 2L * body.length));
        int take = Math.min(in.remaining(), body.length - have);
        in.get(body, have, take);
        have += take;
        consumed += take;
      }
      // Descriptors that came with reads inside this frame but not with its first byte are
      // refused before the frame is delivered.
      received.settle(consumed);
      Object message = codec.decode(body, 0, n, fdCount == 0 ? DecodeContext.NONE : fds);
      fds.closeUnclaimed();
      return message;
    } catch (IOException | RuntimeException e) {
      fds.closeAll();
      throw e;
    }
  }

  /**
   * One read from the socket into {@link #in}, keeping what is unread; records the descriptors
   * that came with it. Returns the byte count, or -1 at end of stream.
   */
  private int read() throws IOException {
    in.compact();
    try {
      return received.read(channel, in, readChunk, maxFdsPerRead, description);
    } finally {
      in.flip();
    }
  }

  /** The descriptors of the frame being decoded, handed out by slot. */
  static final class FrameFds implements DecodeContext {
    private final FileDescriptor[] fds;
    private final Descriptor[] claimed;

    FrameFds(FileDescriptor[] fds) {
      this.fds = fds;
      this.claimed = new Descriptor[fds.length];
    }

    @Override
    public Descriptor descriptor(long slot, long offset) throws DecodeException {
      if (slot < 0 || slot >= fds.length) {
        throw new DecodeException(Rule.DESCRIPTOR_SLOT, offset, "descriptor slot " + slot
            + " but this frame carries " + Fds.count(fds.length, "file descriptor", "file descriptors"));
      }
      int i = (int) slot;
      if (claimed[i] != null) {
        throw new DecodeException(Rule.DESCRIPTOR_SLOT, offset, "descriptor slot " + slot + " claimed twice");
      }
      claimed[i] = Descriptor.adopt(fds[i]);
      return claimed[i];
    }

    void closeUnclaimed() {
      for (int i = 0; i < fds.length; i++) {
        if (claimed[i] == null) Fds.close(fds[i]);
      }
    }

    void closeAll() {
      for (int i = 0; i < fds.length; i++) {
        if (claimed[i] != null) {
          claimed[i].close();
        } else {
          Fds.close(fds[i]);
        }
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>A frame with descriptors is written out before this returns, after what was buffered
   * before it, so that its descriptors ride on the write carrying its first byte and are in the
   * kernel already: the caller may close its {@link Descriptor}s as soon as this returns. This
   * connection never closes them.
   *
   * @throws IOException if there are more than {@code maxFdsPerFrame} descriptors or one is
   *     closed (nothing is written then), or on a transport failure
   */
  @Override
  public void send(byte[] message, List<Descriptor> descriptors) throws IOException {
    Objects.requireNonNull(message, "message");
    int k = descriptors.size();
    if (k > limits.maxFdsPerFrame()) {
      throw new IOException(description + ": a frame can carry " + limits.maxFdsPerFrame()
          + " file descriptors (maxFdsPerFrame), not " + k);
    }
    if (message.length == 0) throw new IllegalArgumentException("an empty message cannot be framed");
    FileDescriptor[] fds = new FileDescriptor[k];
    for (int i = 0; i < k; i++) {
      Descriptor d = descriptors.get(i);
      if (!d.isOpen()) throw new IOException(description + ": descriptor " + i + " of the frame is closed");
      fds[i] = d.fileDescriptor();
    }
    if (closed.get()) throw closedException(null);
    writeLock.lock();
    try {
      if (out == null) out = ByteBuffer.allocateDirect(BUFFER);
      if (k > 0) {
        drain();
        channel.setOutboundFileDescriptors(fds);
      }
      int n = message.length;
      ensureRoom(HEADER_BYTES);
      out.put((byte) (n >>> 24)).put((byte) (n >>> 16)).put((byte) (n >>> 8)).put((byte) n).put((byte) k);
      for (int off = 0; off < n; ) {
        if (!out.hasRemaining()) drain();
        int take = Math.min(out.remaining(), n - off);
        out.put(message, off, take);
        off += take;
      }
      if (k > 0) drain();
    } catch (IOException e) {
      throw closed.get() ? closedException(e) : e;
    } finally {
      // After a failed write the descriptors may still be pending; they must not ride on a
      // later frame.
      if (k > 0 && channel.hasOutboundFileDescriptors()) clearOutbound();
      writeLock.unlock();
    }
  }

  private void clearOutbound() {
    try {
      channel.setOutboundFileDescriptors((FileDescriptor[]) null);
    } catch (IOException e) {
      // Setting none cannot fail: there is no descriptor to look at.
    }
  }

  private void ensureRoom(int bytes) throws IOException {
    if (out.remaining() < bytes) drain();
  }

  /** Writes everything buffered. The first write carries any pending descriptors. */
  private void drain() throws IOException {
    if (out == null) return;
    out.flip();
    try {
      while (out.hasRemaining()) {
        int limit = out.limit();
        if (out.remaining() > writeChunk) out.limit(out.position() + writeChunk);
        try {
          channel.write(out);
        } finally {
          out.limit(limit);
        }
      }
    } finally {
      out.compact();
    }
  }

  @Override
  public void flush() throws IOException {
    if (closed.get()) throw closedException(null);
    writeLock.lock();
    try {
      drain();
    } catch (IOException e) {
      throw closed.get() ? closedException(e) : e;
    } finally {
      writeLock.unlock();
    }
  }

  // A write that failed because close() pulled the socket away reports the close, not the
  // transport's incidental message.
  private IOException closedException(IOException cause) {
    return new IOException(description + ": connection closed", cause);
  }

  @Override
  public boolean supports(NetlayerCapability capability) {
    return capability == NetlayerCapability.DESCRIPTORS;
  }

  @Override
  public Optional<PeerCredentials> peerCredentials() {
    return peer;
  }

  @Override
  public String description() {
    return description;
  }

  /**
   * Shuts the socket down and closes it, once, without flushing (a writer blocked in the socket
   * holds the write lock, so waiting for it could wait forever; call {@link #flush()} first).
   * The shutdown wakes a blocked reader or writer. Descriptors received and not yet delivered
   * in a message are closed.
   */
  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) return;
    try {
      socket.close();
    } finally {
      received.closeAll();
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
