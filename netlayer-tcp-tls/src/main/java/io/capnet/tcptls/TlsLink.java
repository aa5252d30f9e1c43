package io.capnet.tcptls;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeContext;
import io.capnet.netlayer.ChannelLink;
import io.capnet.netlayer.EventLoop;
import io.capnet.netlayer.FrameReader;
import io.capnet.netlayer.Framers;
import io.capnet.netlayer.Link;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A handshaken tcp-tls connection on the vat's loop: length-prefixed CBOR frames sealed and
 * opened by the {@link EngineChannel}'s SSLEngine, on a non-blocking TCP channel. Frames queue
 * in the link's outbound buffer and are sealed into TLS records as the socket takes them.
 */
final class TlsLink extends ChannelLink {
  /** A frame at least this large queues as it is, not copied into the outbound buffer. */
  static final int LARGE_FRAME = 64 * 1024;

  private final EngineChannel tls;
  private final Codec codec;
  /**
   * Large frames, uncopied (a 4-byte header, then the message), and every frame queued behind
   * one, in order; all of it goes after what {@link #out} holds. Loop-confined.
   */
  private final ArrayDeque<ByteBuffer> large = new ArrayDeque<>();
  private long largeBytes;

  private TlsLink(EventLoop loop, EngineChannel tls, Link.Receiver receiver, Codec codec, String description) {
    super(loop, tls.channel, receiver, new FrameReader(Framers.lengthPrefixed(0, codec.limits().maxValueBytes()),
        4L + codec.limits().maxValueBytes()), description, codec.limits().maxFrameMillis());
    this.tls = tls;
    this.codec = codec;
  }

  /** @param handoff the channel's registration from a handshake in a loop, or null */
  static TlsLink open(EventLoop loop, EngineChannel tls, Link.Receiver receiver, Codec codec, String description,
      LoopHandshake.Handoff handoff) throws IOException {
    TlsLink link = new TlsLink(loop, tls, receiver, codec, description);
    if (handoff != null && handoff.loop() == loop) {
      link.start(handoff.registration(), target -> handoff.relay().target = target);
    } else {
      if (handoff != null) handoff.registration().cancel();
      link.start();
    }
    if (tls.hasBufferedInput()) loop.execute(link::readBuffered); // sent with the handshake's last flight
    return link;
  }

  @Override
  protected int read(ByteBuffer dst) throws IOException {
    return tls.read(dst);
  }

  @Override
  protected boolean hasBufferedInput() {
    return tls.hasBufferedInput();
  }

  @Override
  protected void frame(byte[] b, int off, int len, long streamOffset, boolean drop) throws IOException {
    if (!drop) receiver.received(codec.decode(b, off + 4, len - 4, DecodeContext.NONE));
  }

  @Override
  protected void append(byte[] message, List<Descriptor> descriptors) throws IOException {
    if (!descriptors.isEmpty()) throw new IOException("this connection cannot carry file descriptors");
    int n = message.length;
    if (n == 0) throw new IllegalArgumentException("an empty message cannot be framed");
    if (n < LARGE_FRAME && large.isEmpty()) {
      out.reserve(4 + n).putInt(n).put(message);
      return;
    }
    // The encoder made this array for this message alone: it is sealed from where it is.
    large.add(ByteBuffer.allocate(4).putInt(n).flip());
    large.add(ByteBuffer.wrap(message));
    largeBytes += 4L + n;
  }

  /** Drains sealed records first, then seals and writes more of the queue. */
  @Override
  protected int write() throws IOException {
    int written = tls.writeNet();
    if (tls.netOut.hasRemaining()) return written;
    if (!out.isEmpty()) return written + out.writeTo(this::seal, MAX_WRITE);
    ByteBuffer head = large.peek();
    if (head == null) return written;
    int taken = seal(head);
    largeBytes -= taken;
    if (!head.hasRemaining()) large.poll();
    return written + taken;
  }

  /** Seals records of {@code src} and writes them in one call; returns the plaintext bytes taken. */
  private int seal(ByteBuffer src) throws IOException {
    int taken = tls.seal(src);
    tls.writeNet();
    return taken;
  }

  @Override
  protected long queuedBeyond() {
    return tls.netOut.remaining() + largeBytes;
  }

  @Override
  protected int writeBytes(ByteBuffer src) throws IOException {
    return seal(src);
  }

  @Override
  protected void shutdownOutput() throws IOException {
    tls.closeOutbound();
    tls.channel.shutdownOutput();
  }

  @Override
  protected void closeResources() {
    large.clear();
    largeBytes = 0;
    try {
      tls.channel.close();
    } catch (IOException e) {
      // closing at the end; nothing more to report
    }
  }
}
