package io.capnet.unix;

import io.capnet.value.Descriptor;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * Making, opening and adopting AF_UNIX stream sockets. Every method is thread-safe.
 *
 * <p>Sockets handed between processes travel as {@link Descriptor}s (closing one is a plain
 * close(2), which never disturbs other copies); sockets used for I/O are {@link UnixSocket}s.
 */
public final class UnixSockets {
  private UnixSockets() {}

  /** Two connected socket ends, each owned by its {@link Descriptor}. */
  public record Pair(Descriptor first, Descriptor second) implements AutoCloseable {
    public Pair {
      Objects.requireNonNull(first, "first");
      Objects.requireNonNull(second, "second");
    }

    /** Closes both descriptors (a plain close: copies already passed on keep working). */
    @Override
    public void close() {
      try {
        first.close();
      } finally {
        second.close();
      }
    }
  }

  // Enough attempts to get past whatever another process queued on the listener meanwhile.
  private static final int MAX_FOREIGN_CONNECTIONS = 16;

  /**
   * A connected pair of stream sockets, as socketpair(2) makes, e.g. for the Switchboard to
   * hand one end to each side of an introduction.
   *
   * <p>Made by connecting to a listener bound for the purpose under a random abstract-namespace
   * name, because junixsocket's own {@code AFUNIXSocketPair.open()} leaks two descriptors per
   * call. The abstract namespace is visible to every process (in {@code /proc/net/unix}), so an
   * accepted connection is kept only if the kernel says it came from this process; anything
   * else that raced onto the listener is closed.
   */
  public static Pair pair() throws IOException {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    AFUNIXSocketAddress address = AFUNIXSocketAddress.inAbstractNamespace(
        "capnet-pair-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(nonce));
    AFUNIXSocketChannel connected = null;
    AFUNIXSocketChannel accepted = null;
    try (AFUNIXServerSocketChannel listener = AFUNIXServerSocketChannel.open()) {
      listener.bind(address, MAX_FOREIGN_CONNECTIONS);
      connected = AFUNIXSocketChannel.open(address);
      long self = ProcessHandle.current().pid();
      for (int i = 0; i <= MAX_FOREIGN_CONNECTIONS && accepted == null; i++) {
        AFUNIXSocketChannel c = listener.accept();
        AFUNIXSocketCredentials who = c.getPeerCredentials();
        if (who != null && who.getPid() == self) {
          accepted = c;
        } else {
          c.close();
        }
      }
      if (accepted == null) {
        throw new IOException("socket pair: " + MAX_FOREIGN_CONNECTIONS
            + " connections from other processes reached the private listener first");
      }
      Descriptor first = detach(connected);
      connected = null;
      Descriptor second;
      try {
        second = detach(accepted);
        accepted = null;
      } catch (IOException | RuntimeException e) {
        first.close();
        throw e;
      }
      return new Pair(first, second);
    } finally {
      if (connected != null) connected.close();
      if (accepted != null) accepted.close();
    }
  }

  /**
   * The channel's socket as a {@link Descriptor} of its own, the channel let go without a
   * shutdown. The fd is duplicated because junixsocket's channel and its cleaner own the
   * original; that original is then closed before the channel, which leaves the channel's close
   * nothing to shut down.
   */
  private static Descriptor detach(AFUNIXSocketChannel channel) throws IOException {
    FileDescriptor original = channel.getFileDescriptor();
    FileDescriptor copy = FileDescriptorCast.duplicating(original).getFileDescriptor();
    Fds.close(original);
    channel.close();
    return Descriptor.adopt(copy);
  }

  /**
   * A blocking channel over the socket in {@code socket}, which the returned {@link UnixSocket}
   * now owns: {@link UnixSocket#close()} shuts the socket down and closes the descriptor once,
   * {@link UnixSocket#release()} only closes the descriptor. The caller must not close
   * {@code socket} itself while the UnixSocket is in use.
   *
   * @throws IOException if the descriptor is not an AF_UNIX stream socket (it is then left open)
   */
  public static UnixSocket channel(Descriptor socket) throws IOException {
    Objects.requireNonNull(socket, "socket");
    AFUNIXSocketChannel channel;
    try {
      channel = FileDescriptorCast.using(socket.fileDescriptor()).as(AFUNIXSocketChannel.class);
    } catch (ClassCastException e) {
      throw new IOException("the descriptor is not an AF_UNIX stream socket", e);
    }
    // A socket that crossed processes may have been left non-blocking by its last user.
    if (!channel.isBlocking()) channel.configureBlocking(true);
    return new UnixSocket(channel, socket);
  }

  /**
   * A blocking channel over a descriptor this process inherited by number, e.g. from
   * {@code CAPNET_SWITCHBOARD_FD}. The returned socket owns the number from now on.
   *
   * @throws IOException if {@code fd} is not open or not an AF_UNIX stream socket
   */
  public static UnixSocket fromInheritedFd(int fd) throws IOException {
    if (fd < 0) throw new IllegalArgumentException("file descriptor number must not be negative, was " + fd);
    FileDescriptor inherited = FileDescriptorCast.unsafeUsing(fd).getFileDescriptor();
    return channel(Descriptor.adopt(inherited));
  }

  /**
   * The first byte of a connection and the descriptors that came with it, read by the caller
   * to tell the protocol; handed to the connection made next, which reads them first.
   */
  public static final class FirstByte {
    final int value;
    final java.io.FileDescriptor[] fds;

    private FirstByte(int value, java.io.FileDescriptor[] fds) {
      this.value = value;
      this.fds = fds;
    }

    /** The byte (0-255), or -1 at end of stream. */
    public int value() {
      return value;
    }

    /** Closes the descriptors, for a connection that is not made. */
    public void close() {
      Fds.closeAll(fds);
    }
  }

  /**
   * Reads the first byte of a connection whose protocol is told by it (the Switchboard's socket,
   * spec/uds.md section 5); blocks until it comes.
   */
  public static FirstByte readFirstByte(UnixSocket socket) throws IOException {
    FirstByte b;
    while ((b = tryReadFirstByte(socket)) == null) Thread.onSpinWait();
    return b;
  }

  /** As {@link #readFirstByte}, on a non-blocking socket: null when no byte is there yet. */
  public static FirstByte tryReadFirstByte(UnixSocket socket) throws IOException {
    AFUNIXSocketChannel ch = socket.channel();
    ReceivedFds fds = new ReceivedFds();
    int max = AncillaryBuffers.prepare(ch, true);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
    int n;
    try {
      n = fds.read(ch, b, 1, max, "the first byte");
    } catch (IOException | RuntimeException e) {
      fds.closeAll();
      throw e;
    }
    if (n == 0) {
      fds.closeAll();
      return null;
    }
    FirstByte first = new FirstByte(n < 0 ? -1 : b.get(0) & 0xff, fds.drain());
    if (n < 0) first.close();
    return first;
  }

  /** Connects to a socket file, e.g. the Switchboard's socket path. */
  public static UnixSocket connect(Path socketPath) throws IOException {
    Objects.requireNonNull(socketPath, "socketPath");
    return adopt(AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(socketPath)));
  }

  /**
   * Takes over a channel junixsocket made itself (connected or accepted), which owns its
   * descriptor. Not for channels made with {@code FileDescriptorCast}: use
   * {@link #channel(Descriptor)}, which also closes the descriptor.
   */
  public static UnixSocket adopt(AFUNIXSocketChannel channel) {
    return new UnixSocket(channel, null);
  }
}
