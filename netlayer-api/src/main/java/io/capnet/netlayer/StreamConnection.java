package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeContext;
import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import io.capnet.codec.ValueReader;
import io.capnet.value.Descriptor;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection over a byte stream: bare Syrup, 4-byte length-prefixed frames, or tcp-testing-only's
 * {@link SyrupFramer} framings. Closing it closes the underlying resource, which is what unblocks
 * a reader or writer stuck in the stream.
 */
final class StreamConnection implements Connection {
  enum Framing {
    /** Values back to back with no framing, as tcp-testing-only and the OCapN test suite speak. */
    BARE_SYRUP,
    /** A 4-byte big-endian unsigned length, then that many bytes of one encoded message. */
    LENGTH_PREFIXED
  }

  static final int OUTPUT_BUFFER = 64 * 1024;
  // A header can claim maxValueBytes for the cost of 4 bytes, so the body buffer grows with the
  // bytes that really arrive instead of being allocated at the declared size.
  private static final int FIRST_CHUNK = 64 * 1024;

  private final InputStream in;
  private final OutputStream out;
  private final Closeable resource;
  private final Framing framing;
  private final Codec codec;
  private final ValueReader reader;
  private final String description;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final byte[] header = new byte[4];
  private long position; // LENGTH_PREFIXED: bytes consumed, for error offsets
  private boolean failed;
  private SocketChannel channel; // set when the streams are a socket channel's, for the loop
  private boolean used;
  private SyrupFramer syrup; // tcp-testing-only's framings, or null
  private byte[] inBuf = new byte[0]; // syrup: stream bytes read and not yet cut, in [inStart, inEnd)
  private int inStart;
  private int inEnd;

  StreamConnection(
      InputStream in, OutputStream out, Closeable resource, Framing framing, Codec codec, String description) {
    this.in = Objects.requireNonNull(in, "in");
    this.out = new BufferedOutputStream(Objects.requireNonNull(out, "out"), OUTPUT_BUFFER);
    this.resource = Objects.requireNonNull(resource, "resource");
    this.framing = Objects.requireNonNull(framing, "framing");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.description = Objects.requireNonNull(description, "description");
    if (framing == Framing.BARE_SYRUP && !codec.name().equals("syrup")) {
      throw new IllegalArgumentException("bare framing needs the Syrup codec, got " + codec.name());
    }
    this.reader = framing == Framing.BARE_SYRUP ? Codec.syrupReader(in, codec.limits()) : null;
  }

  /** tcp-testing-only over a socket channel's streams, which {@link #attach} moves onto a loop. */
  StreamConnection(SocketChannel channel, SyrupFramer syrup, Codec codec, String description) throws IOException {
    this(channel, channel, syrup, codec, description);
  }

  /** As above, where closing must release {@code resource} (which owns the channel) rather than the channel alone. */
  StreamConnection(SocketChannel channel, Closeable resource, SyrupFramer syrup, Codec codec, String description)
      throws IOException {
    this(channel.socket().getInputStream(), channel.socket().getOutputStream(), resource, Framing.LENGTH_PREFIXED,
        codec, description);
    this.channel = channel;
    this.syrup = Objects.requireNonNull(syrup, "syrup");
  }

  @Override
  public Codec codec() {
    return codec;
  }

  @Override
  public Link attach(EventLoop loop, Link.Receiver receiver) throws IOException {
    if (channel == null || used) return Connection.super.attach(loop, receiver);
    used = true;
    return StreamLink.open(loop, channel, resource, receiver, syrup, codec, description);
  }

  /**
   * {@inheritDoc}
   *
   * <p>After this side's {@link #close()}, including one made while this call was blocked,
   * returns {@code null}: the local close is not an error of the stream.
   */
  @Override
  public Object receive() throws IOException {
    if (closed.get()) return null;
    if (failed) throw new IOException(description + ": unusable after an earlier receive error");
    used = true;
    try {
      if (syrup != null) return readSyrupFrame();
      return framing == Framing.BARE_SYRUP ? reader.read() : readFrame();
    } catch (IOException | RuntimeException e) {
      if (closed.get()) return null;
      failed = true;
      throw e;
    }
  }

  private Object readFrame() throws IOException {
    long frameStart = position;
    int got = readFully(header, 0, 4);
    if (got == 0) return null;
    if (got < 4) {
      throw new DecodeException(Rule.TRUNCATED, frameStart,
          "stream ended after " + got + " of the 4 bytes of a frame length");
    }
    long length = ((header[0] & 0xffL) << 24) | ((header[1] & 0xff) << 16)
        | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
    int max = codec.limits().maxValueBytes();
    if (length > max) {
      throw new DecodeException(Rule.VALUE_TOO_LARGE, frameStart,
          "frame declares " + length + " bytes, over maxValueBytes " + max);
    }
    if (length == 0) {
      throw new DecodeException(Rule.MALFORMED_VALUE, frameStart, "frame declares 0 bytes");
    }
    int n = (int) length;
    byte[] body = new byte[Math.min(n, FIRST_CHUNK)];
    int have = 0;
    while (have < n) {
      if (have == body.length) body = Arrays.copyOf(body, (int) Math.min(n, 2L * body.length));
      int r = readFully(body, have, body.length - have);
      have += r;
      if (have < body.length) {
        throw new DecodeException(Rule.TRUNCATED, frameStart,
            "stream ended after " + have + " of the " + n + " bytes of a frame");
      }
    }
    return codec.decode(body, 0, n, DecodeContext.NONE);
  }

  private Object readSyrupFrame() throws IOException {
    while (true) {
      int avail = inEnd - inStart;
      long len = avail == 0 ? -1 : syrup.frameLength(inBuf, inStart, avail, position);
      if (len > syrup.maxFrameBytes()) {
        throw new DecodeException(Rule.VALUE_TOO_LARGE, position, "frame of " + len + " bytes, over the limit of "
            + syrup.maxFrameBytes());
      }
      if (len > 0 && len <= avail) {
        int off = inStart;
        long at = position;
        inStart += (int) len;
        position += len;
        syrup.reset();
        Object message = syrup.decode(codec, inBuf, off, (int) len, at);
        if (message != null) return message;
        continue;
      }
      if (inStart > 0) { // keep only the unfinished frame, at the front
        System.arraycopy(inBuf, inStart, inBuf, 0, avail);
        inStart = 0;
        inEnd = avail;
      }
      if (inEnd == inBuf.length) { // grow with the bytes that arrive, never to a declared length at once
        long want = Math.max(FIRST_CHUNK, 2L * inBuf.length);
        if (len > 0) want = Math.min(want, len);
        inBuf = Arrays.copyOf(inBuf, (int) Math.min(want, syrup.maxFrameBytes()));
      }
      int r = in.read(inBuf, inEnd, inBuf.length - inEnd);
      if (r < 0) {
        if (inEnd > inStart) {
          throw new DecodeException(Rule.TRUNCATED, position, "stream ended after " + (inEnd - inStart)
              + " bytes of a frame");
        }
        return null;
      }
      inEnd += r;
    }
  }

  /** Reads until {@code len} bytes or end of stream; returns how many arrived. */
  private int readFully(byte[] b, int off, int len) throws IOException {
    int total = 0;
    while (total < len) {
      int r = in.read(b, off + total, len - total);
      if (r < 0) break;
      total += r;
      position += r;
    }
    return total;
  }

  @Override
  public void send(byte[] message, List<Descriptor> descriptors) throws IOException {
    Objects.requireNonNull(message, "message");
    if (!descriptors.isEmpty()) throw new IOException("this connection cannot carry file descriptors");
    if (closed.get()) throw closedException(null);
    if (syrup != null) {
      sendSyrup(message);
      return;
    }
    writeLock.lock();
    try {
      if (framing == Framing.LENGTH_PREFIXED) {
        if (message.length == 0) throw new IllegalArgumentException("an empty message cannot be framed");
        int n = message.length;
        out.write(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
      }
      out.write(message);
    } catch (IOException e) {
      throw closed.get() ? closedException(e) : e;
    } finally {
      writeLock.unlock();
    }
  }

  // A listener cannot write until its peer's first message shows the framing to answer in.
  private void sendSyrup(byte[] message) throws IOException {
    SyrupFraming f;
    try {
      f = syrup.awaitFraming();
      if (f == null) throw closedException(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(description + ": interrupted waiting for the peer's framing");
    }
    writeLock.lock();
    try {
      out.write(SyrupFramer.prefix(f, message.length));
      out.write(message);
      if (SyrupFramer.suffix(f) == 1) out.write(',');
    } catch (IOException e) {
      throw closed.get() ? closedException(e) : e;
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void flush() throws IOException {
    if (closed.get()) throw closedException(null);
    writeLock.lock();
    try {
      out.flush();
    } catch (IOException e) {
      throw closed.get() ? closedException(e) : e;
    } finally {
      writeLock.unlock();
    }
  }

  // A write that failed because close() pulled the stream away reports the close, not the
  // transport's incidental message ("Socket closed", "Pipe closed").
  private IOException closedException(IOException cause) {
    return new IOException(description + ": connection closed", cause);
  }

  @Override
  public boolean supports(NetlayerCapability capability) {
    return false;
  }

  @Override
  public String description() {
    return description;
  }

  /**
   * Closes the underlying resource once, without flushing: a writer blocked in the stream holds
   * the write lock, so waiting for it could wait forever. Call {@link #flush()} first to send
   * what is buffered.
   */
  @Override
  public void close() throws IOException {
    if (closed.compareAndSet(false, true)) {
      if (syrup != null) syrup.abandon();
      resource.close();
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
