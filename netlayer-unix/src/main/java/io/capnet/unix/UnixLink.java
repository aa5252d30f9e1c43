package io.capnet.unix;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeContext;
import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import io.capnet.netlayer.ChannelLink;
import io.capnet.netlayer.EventLoop;
import io.capnet.netlayer.FrameReader;
import io.capnet.netlayer.Framers;
import io.capnet.netlayer.Link;
import io.capnet.netlayer.OutboundFrame;
import io.capnet.value.Descriptor;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * The unix netlayer's frames ({@link UnixConnection} draws them) on the vat's loop: a
 * non-blocking {@link AFUNIXSocketChannel} on junixsocket's selector. Descriptors are matched to
 * frames by stream offset, as in the blocking form ({@link ReceivedFds}); outbound, a frame's
 * descriptors ride on the write that starts at its first byte, and no write runs past the start
 * of the next frame that carries some.
 */
final class UnixLink extends ChannelLink {
  private final UnixSocket socket;
  private final AFUNIXSocketChannel channel;
  private final UnixLimits limits;
  private final Codec codec;
  private final int maxFdsPerRead;
  private final int readChunk;
  private final int writeChunk;
  private final ReceivedFds received = new ReceivedFds();
  private final ArrayDeque<Mark> marks = new ArrayDeque<>(); // frames with descriptors, in order
  private long written; // stream offset after the last byte written
  private UnixSockets.FirstByte prefix; // read before the link, handed out by its first read; then null

  /** A queued frame whose descriptors ride on the write that starts at {@code offset}. */
  private record Mark(long offset, OutboundFrame frame) {}

  private UnixLink(EventLoop loop, UnixSocket socket, Link.Receiver receiver, UnixLimits limits, Codec codec,
      String description, int maxFdsPerRead, int readChunk, int writeChunk) {
    super(loop, socket.channel(), receiver, new FrameReader(Framers.lengthPrefixed(1, codec.limits().maxValueBytes()),
        UnixConnection.HEADER_BYTES + (long) codec.limits().maxValueBytes()), description,
        codec.limits().maxFrameMillis());
    this.socket = socket;
    this.channel = socket.channel();
    this.limits = limits;
    this.codec = codec;
    this.maxFdsPerRead = maxFdsPerRead;
    this.readChunk = readChunk;
    this.writeChunk = writeChunk;
  }

  static UnixLink open(EventLoop loop, UnixSocket socket, Link.Receiver receiver, UnixLimits limits, Codec codec,
      String description, int maxFdsPerRead, int readChunk, int writeChunk, UnixSockets.FirstByte prefix)
      throws IOException {
    UnixLink link = new UnixLink(loop, socket, receiver, limits, codec, description, maxFdsPerRead, readChunk,
        writeChunk);
    link.prefix = prefix;
    link.start();
    return link;
  }

  @Override
  protected int read(ByteBuffer dst) throws IOException {
    if (prefix != null && dst.hasRemaining()) {
      dst.put((byte) prefix.value());
      received.first(prefix);
      prefix = null;
      return 1;
    }
    return received.read(channel, dst, readChunk, maxFdsPerRead, description());
  }

  // A frame's descriptors ride with its first byte, so any that come with its later bytes were
  // never declared: refused now, not held for as long as the frame stays unfinished.
  @Override
  protected void afterCut(FrameReader reader) throws IOException {
    if (reader.pendingBytes() == 0) return;
    received.refuseInside(reader.consumed());
    int declared = reader.pendingByte(4); // the header's fd count, once it has arrived
    if (declared >= 0) received.refuseBeyond(reader.consumed(), declared);
  }

  @Override
  protected void frame(byte[] b, int off, int len, long at, boolean drop) throws IOException {
    if (drop) {
      received.closeAll(); // lingering after the end: every descriptor that arrives is closed
      return;
    }
    int fdCount = b[off + 4] & 0xff;
    if (fdCount > limits.maxFdsPerFrame()) {
      throw new DecodeException(Rule.DESCRIPTOR_SLOT, at, "frame declares "
          + Fds.count(fdCount, "fd", "fds") + ", over maxFdsPerFrame " + limits.maxFdsPerFrame());
    }
    received.settle(at);
    UnixConnection.FrameFds fds = new UnixConnection.FrameFds(received.claim(at, fdCount));
    Object message;
    try {
      received.settle(at + len);
      int h = UnixConnection.HEADER_BYTES;
      message = codec.decode(b, off + h, len - h, fdCount == 0 ? DecodeContext.NONE : fds);
      fds.closeUnclaimed();
    } catch (IOException | RuntimeException e) {
      fds.closeAll();
      throw e;
    }
    receiver.received(message);
  }

  @Override
  protected void append(byte[] message, List<Descriptor> descriptors) throws IOException {
    int k = descriptors.size();
    if (k > limits.maxFdsPerFrame()) {
      throw new IOException(description() + ": a frame can carry " + limits.maxFdsPerFrame()
          + " file descriptors (maxFdsPerFrame), not " + k);
    }
    for (int i = 0; i < k; i++) {
      if (!descriptors.get(i).isOpen()) throw new IOException(description() + ": descriptor " + i + " of the frame is closed");
    }
    int n = message.length;
    if (n == 0) throw new IllegalArgumentException("an empty message cannot be framed");
    if (k > 0) marks.add(new Mark(out.appended(), new OutboundFrame(message, descriptors)));
    out.reserve(UnixConnection.HEADER_BYTES + n).putInt(n).put((byte) k).put(message);
  }

  @Override
  protected int write() throws IOException {
    long max = Math.min(writeChunk, MAX_WRITE); // a write copies what it is given: keep it small
    Mark m = marks.peekFirst();
    int n;
    if (m != null && m.offset() > written) {
      n = out.writeTo(this::writeBytes, Math.min(max, m.offset() - written));
    } else if (m != null) {
      Mark next = marks.size() > 1 ? nextAfterFirst() : null;
      if (next != null) max = Math.min(max, next.offset() - written);
      List<Descriptor> d = m.frame().descriptors();
      FileDescriptor[] fds = new FileDescriptor[d.size()];
      for (int i = 0; i < fds.length; i++) fds[i] = d.get(i).fileDescriptor();
      channel.setOutboundFileDescriptors(fds);
      try {
        n = out.writeTo(this::writeBytes, max);
      } finally {
        // Unsent descriptors must not ride on a later write.
        if (channel.hasOutboundFileDescriptors()) channel.setOutboundFileDescriptors((FileDescriptor[]) null);
      }
      if (n > 0) {
        marks.removeFirst();
        m.frame().closeDescriptors(); // in the kernel now: ours are closed
      }
    } else {
      n = out.writeTo(this::writeBytes, max);
    }
    written += n;
    return n;
  }

  private Mark nextAfterFirst() {
    var it = marks.iterator();
    it.next();
    return it.next();
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
    for (Mark m; (m = marks.pollFirst()) != null; ) m.frame().closeDescriptors();
    try {
      socket.close();
    } catch (IOException e) {
      // closing at the end; nothing more to report
    } finally {
      received.closeAll();
    }
  }
}
