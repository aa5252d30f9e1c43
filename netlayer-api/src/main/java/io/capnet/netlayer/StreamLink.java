package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeContext;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A {@link ChannelLink} over a TCP socket, no descriptors: tcp-testing-only's {@link SyrupFramer}
 * framings, or 4-byte length-prefixed frames. While a listener has not yet seen which framing its
 * peer speaks, what it sends is held, and written in that framing once it is known.
 */
final class StreamLink extends ChannelLink {
  private final SocketChannel channel;
  private final Codec codec;
  private final SyrupFramer syrup; // null for 4-byte length-prefixed frames
  private final ArrayDeque<byte[]> held = new ArrayDeque<>();
  private long heldBytes;
  private boolean settleScheduled;

  private final java.io.Closeable resource; // what closing releases: the channel, or what owns it

  private StreamLink(EventLoop loop, SocketChannel channel, java.io.Closeable resource, Link.Receiver receiver,
      SyrupFramer syrup, Codec codec, String description) {
    super(loop, channel, receiver, syrup != null
        ? new FrameReader(syrup, syrup.maxFrameBytes())
        : new FrameReader(Framers.lengthPrefixed(0, codec.limits().maxValueBytes()), 4L + codec.limits().maxValueBytes()),
        description, codec.limits().maxFrameMillis());
    this.channel = channel;
    this.resource = resource;
    this.codec = codec;
    this.syrup = syrup;
  }

  static StreamLink open(EventLoop loop, SocketChannel channel, java.io.Closeable resource, Link.Receiver receiver,
      SyrupFramer syrup, Codec codec, String description) throws IOException {
    StreamLink link = new StreamLink(loop, channel, resource, receiver, syrup, codec, description);
    if (syrup != null) syrup.whenKnown(link::releaseHeld);
    link.start();
    return link;
  }

  @Override
  protected int read(ByteBuffer dst) throws IOException {
    return channel.read(dst);
  }

  @Override
  protected void frame(byte[] b, int off, int len, long streamOffset, boolean drop) throws IOException {
    if (syrup == null) {
      if (!drop) receiver.received(codec.decode(b, off + 4, len - 4, DecodeContext.NONE));
      return;
    }
    Object message = syrup.decode(codec, b, off, len, streamOffset);
    if (syrup.awaitingSeparator()) settleLater();
    if (message != null && !drop) receiver.received(message);
  }

  // A length-prefixed peer may say nothing more until it hears from us.
  private void settleLater() {
    if (settleScheduled) return;
    settleScheduled = true;
    loop.schedule(SyrupFramer.SNIFF_MILLIS, () -> {
      settleScheduled = false;
      if (!isClosed() && !syrup.settle()) settleLater();
    });
  }

  @Override
  protected void append(byte[] message, List<Descriptor> descriptors) throws IOException {
    if (!descriptors.isEmpty()) throw new IOException("this connection cannot carry file descriptors");
    if (message.length == 0) throw new IllegalArgumentException("an empty message cannot be framed");
    if (syrup == null) {
      out.reserve(4 + message.length).putInt(message.length).put(message);
      return;
    }
    SyrupFraming f = syrup.framing();
    if (f == null || !held.isEmpty()) {
      held.add(message);
      heldBytes += message.length;
      return;
    }
    appendFramed(f, message);
  }

  private void appendFramed(SyrupFraming f, byte[] message) {
    byte[] prefix = SyrupFramer.prefix(f, message.length);
    out.put(prefix, 0, prefix.length);
    out.put(message, 0, message.length);
    if (SyrupFramer.suffix(f) == 1) out.put(new byte[] {','}, 0, 1);
  }

  private void releaseHeld() {
    if (held.isEmpty()) return;
    SyrupFraming f = syrup.framing();
    for (byte[] m; (m = held.poll()) != null; ) appendFramed(f, m);
    heldBytes = 0;
    loop.beforeWait(this::flush);
  }

  // An abort (crossed hellos, say) must reach a length-prefixed peer without the settling wait.
  @Override
  protected void closingSoon() {
    if (syrup != null) syrup.settleNow();
  }

  @Override
  protected long heldBytes() {
    return heldBytes;
  }

  @Override
  protected int writeBytes(ByteBuffer src) throws IOException {
    return channel.write(src);
  }

  @Override
  protected void shutdownOutput() throws IOException {
    channel.shutdownOutput();
  }

  @Override
  protected void closeResources() {
    try {
      resource.close();
    } catch (IOException e) {
      // closing at the end; nothing more to report
    }
  }
}
