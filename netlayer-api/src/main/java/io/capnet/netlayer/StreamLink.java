package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeContext;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;

/** A {@link ChannelLink} over a TCP socket: bare Syrup or length-prefixed frames, no descriptors. */
final class StreamLink extends ChannelLink {
  private final SocketChannel channel;
  private final Codec codec;
  private final boolean lengthPrefixed;

  private StreamLink(EventLoop loop, SocketChannel channel, Link.Receiver receiver, StreamConnection.Framing framing,
      Codec codec, String description) {
    super(loop, channel, receiver, new FrameReader(framing == StreamConnection.Framing.BARE_SYRUP
        ? Framers.bareSyrup(codec.limits().maxDepth())
        : Framers.lengthPrefixed(0, codec.limits().maxValueBytes()), 4L + codec.limits().maxValueBytes()), description);
    this.channel = channel;
    this.codec = codec;
    this.lengthPrefixed = framing == StreamConnection.Framing.LENGTH_PREFIXED;
  }

  static StreamLink open(EventLoop loop, SocketChannel channel, Link.Receiver receiver,
      StreamConnection.Framing framing, Codec codec, String description) throws IOException {
    StreamLink link = new StreamLink(loop, channel, receiver, framing, codec, description);
    link.start();
    return link;
  }

  @Override
  protected int read(ByteBuffer dst) throws IOException {
    return channel.read(dst);
  }

  @Override
  protected void frame(byte[] b, int off, int len, long streamOffset, boolean drop) throws IOException {
    if (drop) return;
    int header = lengthPrefixed ? 4 : 0;
    while (!lengthPrefixed && header < len && isWhitespace(b[off + header])) header++;
    receiver.received(codec.decode(b, off + header, len - header, DecodeContext.NONE));
  }

  private static boolean isWhitespace(byte c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  @Override
  protected void append(byte[] message, List<Descriptor> descriptors) throws IOException {
    if (!descriptors.isEmpty()) throw new IOException("this connection cannot carry file descriptors");
    if (lengthPrefixed) {
      int n = message.length;
      if (n == 0) throw new IllegalArgumentException("an empty message cannot be framed");
      out.reserve(4 + n).putInt(n).put(message);
    } else {
      out.put(message, 0, message.length);
    }
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
      channel.close();
    } catch (IOException e) {
      // closing at the end; nothing more to report
    }
  }
}
