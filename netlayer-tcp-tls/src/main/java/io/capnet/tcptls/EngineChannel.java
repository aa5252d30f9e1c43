package io.capnet.tcptls;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * One TLS connection as an {@link SSLEngine} over a TCP channel, with the engine's three
 * buffers. The handshake runs either in the vat's loop ({@link LoopHandshake}, non-blocking) or
 * on the caller's thread (blocking {@code Netlayer.connect} and {@code accept(Consumer)}); then
 * either {@link TlsLink} drives the engine from the loop, or the blocking streams here serve
 * {@code Connection.receive}/{@code send}.
 *
 * <pre>
 *   channel --read--> netIn --unwrap--> appIn --> frames
 *   frames --wrap--> netOut --write--> channel
 * </pre>
 */
final class EngineChannel {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /**
   * netIn and netOut start at one record's size and grow once to this many records when a
   * connection streams (a read fills netIn, or more than a record waits to be sealed): one system
   * call then moves several records, while an idle or handshaking connection holds one each.
   */
  static final int RECORDS_PER_IO = 4;
  /** The most plaintext one {@link #read} hands over, so one connection cannot hog the loop. */
  static final int MAX_READ = 256 * 1024;

  final SocketChannel channel;
  final SSLEngine engine;
  private final int packetSize;
  ByteBuffer netIn; // read mode between calls: [position, limit) not yet unwrapped
  final ByteBuffer appIn; // read mode: [position, limit) decrypted, not yet taken
  ByteBuffer netOut; // read mode: [position, limit) sealed, not yet written
  private boolean inboundDone;
  private boolean underflow; // the last unwrap needed more bytes than netIn held

  EngineChannel(SocketChannel channel, SSLEngine engine) {
    this.channel = channel;
    this.engine = engine;
    int packet = engine.getSession().getPacketBufferSize();
    int app = engine.getSession().getApplicationBufferSize();
    packetSize = packet;
    netIn = ByteBuffer.allocate(packet).flip();
    appIn = ByteBuffer.allocate(app).flip();
    netOut = ByteBuffer.allocate(packet).flip();
  }

  /** What a handshake waits for; {@link #DONE} once it has finished and its last flight is written. */
  enum Wait { READ, WRITE, DONE }

  /** Runs the whole handshake on this thread, over the channel in blocking mode. */
  void handshake() throws IOException {
    engine.beginHandshake();
    while (advanceHandshake() != Wait.DONE) {
      // a blocking channel never leaves the handshake waiting
    }
  }

  /**
   * Moves the handshake on as far as the channel allows, without waiting when it is
   * non-blocking: what it waits for next, or DONE. A failed handshake first sends the engine's
   * alert (protocol_version, certificate_required...), then throws. Call
   * {@code engine.beginHandshake()} first.
   */
  Wait advanceHandshake() throws IOException {
    try {
      return stepHandshake();
    } catch (SSLException e) {
      sendAlert();
      throw e;
    }
  }

  private Wait stepHandshake() throws IOException {
    while (true) {
      if (netOut.hasRemaining()) {
        writeNet();
        if (netOut.hasRemaining()) return Wait.WRITE;
      }
      switch (engine.getHandshakeStatus()) {
        case NEED_WRAP -> {
          if (wrap(EMPTY).getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("the TLS engine closed during the handshake");
          }
        }
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          SSLEngineResult r = unwrap();
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) throw new SSLException("the peer closed TLS during the handshake");
          boolean stuck = r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || (r.bytesConsumed() == 0
              && r.bytesProduced() == 0 && r.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP);
          if (stuck) {
            int n = readNet();
            if (n < 0) throw new EOFException("the peer closed the connection during the TLS handshake");
            if (n == 0) return Wait.READ;
          }
        }
        case NEED_TASK -> runTasks();
        default -> {
          return Wait.DONE;
        }
      }
    }
  }

  /** After a failed handshake: the engine's alert goes out, without waiting on a non-blocking channel. */
  private void sendAlert() {
    try {
      engine.closeOutbound();
      for (int i = 0; i < 4 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
        wrap(EMPTY);
        if (channel.isBlocking()) writeAllBlocking();
        else writeNet();
      }
    } catch (IOException | RuntimeException e) {
      // the peer is gone already; the refusal stands
    }
  }

  private void runTasks() {
    for (Runnable t; (t = engine.getDelegatedTask()) != null; ) t.run();
  }

  /**
   * Makes a read-mode buffer writable after its unread bytes. Unlike {@code compact()}, moves
   * nothing when they already start at 0, so sealing several records in a row copies none twice.
   */
  private static void toWriteMode(ByteBuffer b) {
    if (b.position() == 0) b.position(b.limit()).limit(b.capacity());
    else b.compact();
  }

  /** A read-mode buffer's bytes in one {@code records} times larger. */
  private ByteBuffer grown(ByteBuffer b) {
    ByteBuffer g = ByteBuffer.allocate(packetSize * RECORDS_PER_IO);
    g.put(b).flip();
    return g;
  }

  /** Seals what it can of {@code src} into netOut (which must be drained first when full). */
  SSLEngineResult wrap(ByteBuffer src) throws SSLException {
    toWriteMode(netOut);
    try {
      SSLEngineResult r = engine.wrap(src, netOut);
      if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) runTasks();
      return r;
    } finally {
      netOut.flip();
    }
  }

  /**
   * Seals records of {@code src} into netOut while another whole record fits: the plaintext bytes
   * taken. A write of netOut then sends them all in one system call.
   */
  int seal(ByteBuffer src) throws IOException {
    int before = src.position();
    if (src.remaining() > packetSize && netOut.capacity() < packetSize * RECORDS_PER_IO) netOut = grown(netOut);
    while (src.hasRemaining() && netOut.capacity() - netOut.remaining() >= packetSize) {
      SSLEngineResult r = wrap(src);
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) throw new IOException("TLS is closed");
      if (r.bytesConsumed() == 0) break;
    }
    return src.position() - before;
  }

  /** Opens what netIn holds into appIn. */
  SSLEngineResult unwrap() throws SSLException {
    toWriteMode(appIn);
    try {
      return unwrapInto(appIn);
    } finally {
      appIn.flip();
    }
  }

  private SSLEngineResult unwrapInto(ByteBuffer dst) throws SSLException {
    SSLEngineResult r = engine.unwrap(netIn, dst);
    underflow = r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW;
    if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) runTasks();
    if (r.getStatus() == SSLEngineResult.Status.CLOSED) inboundDone = true;
    return r;
  }

  /** One read from the channel into netIn: the count, 0 if none was ready, -1 at the end. */
  int readNet() throws IOException {
    toWriteMode(netIn);
    int n;
    try {
      n = channel.read(netIn);
      if (n > 0) underflow = false;
    } finally {
      netIn.flip();
    }
    if (n > 0 && netIn.limit() == netIn.capacity() && netIn.capacity() < packetSize * RECORDS_PER_IO) {
      netIn = grown(netIn); // the read filled it: this connection streams
    }
    return n;
  }

  private void writeAllBlocking() throws IOException {
    while (netOut.hasRemaining()) channel.write(netOut);
  }

  /** Writes what netOut holds, as far as the channel takes it; returns the bytes written. */
  int writeNet() throws IOException {
    return netOut.hasRemaining() ? channel.write(netOut) : 0;
  }

  /** Moves decrypted bytes into {@code dst}; returns how many. */
  int takeApp(ByteBuffer dst) {
    int n = Math.min(dst.remaining(), appIn.remaining());
    if (n == 0) return 0;
    ByteBuffer slice = appIn.slice(appIn.position(), n);
    dst.put(slice);
    appIn.position(appIn.position() + n);
    return n;
  }

  /**
   * Reads and opens until some application bytes are in {@code dst}, or nothing more is ready
   * (non-blocking) or arrives (blocking): the count, 0, or -1 once the peer closed TLS or TCP.
   */
  int read(ByteBuffer dst) throws IOException {
    try {
      int n = readOpened(dst);
      if (n < 0 && channel.isBlocking()) channel.close(); // as an SSLSocket does at the end
      return n;
    } catch (SSLException e) {
      // A fatal TLS error ends the connection, as SunJSSE's own sockets do: alert, then close.
      sendAlertWithoutBlocking();
      channel.close();
      throw e;
    }
  }

  private void sendAlertWithoutBlocking() {
    try {
      engine.closeOutbound();
      wrap(EMPTY);
      writeNet();
    } catch (IOException | RuntimeException e) {
      // the connection is closed next in any case
    }
  }

  /**
   * Fills {@code dst} as far as the bytes at hand go (up to {@link #MAX_READ}): opened records,
   * and more reads while the channel has some. A record opens straight into {@code dst} when it
   * has room for one. A blocking channel returns once it has bytes, rather than wait for more.
   */
  private int readOpened(ByteBuffer dst) throws IOException {
    int total = 0;
    while (true) {
      total += takeApp(dst);
      if (!dst.hasRemaining() || total >= MAX_READ) return total;
      if (inboundDone) return total > 0 ? total : -1;
      if (netIn.hasRemaining() && !underflow) {
        boolean direct = dst.remaining() >= appIn.capacity(); // appIn is empty: takeApp emptied it
        SSLEngineResult r = direct ? unwrapInto(dst) : unwrap();
        if (r.getStatus() == SSLEngineResult.Status.OK && (r.bytesProduced() > 0 || r.bytesConsumed() > 0)) {
          if (direct) total += r.bytesProduced();
          if (r.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            wrap(EMPTY); // a post-handshake reply (key update)
            writeNet();
          }
          continue;
        }
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) return total > 0 ? total : -1;
      }
      if (total > 0 && channel.isBlocking()) return total;
      int got = readNet();
      if (got < 0) return total > 0 ? total : -1; // a record cut short: the framing above names what is missing
      if (got == 0) return total;
    }
  }

  /** Whether decrypted bytes, or undecrypted whole records, wait without the socket saying so. */
  boolean hasBufferedInput() {
    return appIn.hasRemaining() || (netIn.hasRemaining() && !underflow && !inboundDone);
  }

  /**
   * Reads and drops what has arrived, without waiting: closing a socket with unread input makes
   * the kernel reset the connection, and the peer loses what it had not read yet. Call only when
   * no other thread uses the channel.
   */
  void drainWithoutBlocking() {
    try {
      channel.configureBlocking(false);
      ByteBuffer scratch = ByteBuffer.allocate(netIn.capacity());
      for (int i = 0; i < 64 && channel.read(scratch.clear()) > 0; i++) {
        // dropped
      }
    } catch (IOException | RuntimeException e) {
      // closing in any case
    }
  }

  /** Sends close_notify as far as the channel takes it without blocking. */
  void closeOutbound() {
    engine.closeOutbound();
    try {
      wrap(EMPTY);
      writeNet();
    } catch (IOException e) {
      // the peer is gone; the TCP close follows
    }
  }

  InputStream inputStream() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        int n = EngineChannel.this.read(ByteBuffer.wrap(b, off, len));
        return n;
      }
    };
  }

  OutputStream outputStream() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        while (src.hasRemaining()) {
          SSLEngineResult r = wrap(src);
          writeAllBlocking();
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) throw new IOException("TLS is closed");
        }
      }
    };
  }
}
