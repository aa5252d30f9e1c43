package io.capnet.unix;

import io.capnet.netlayer.PeerCredentials;
import io.capnet.value.Descriptor;
import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketCredentials;

/**
 * One end of a connected AF_UNIX stream socket, with the two ways of letting go of it that
 * junixsocket alone gets wrong. Made by {@link UnixSockets}.
 *
 * <p>Why not a bare {@link AFUNIXSocketChannel}: closing one always shuts the socket down first
 * ({@code shutdown(SHUT_RDWR)}, even after {@code setShutdownOnClose(false)}), which breaks every
 * other copy of the same socket, including one just passed to another process; and a channel
 * made from a descriptor never closes that descriptor. This class closes the descriptor exactly
 * once, and shuts the socket down only in {@link #close()}.
 *
 * <p>Use {@link #channel()} for I/O and configuration, never to close.
 */
public final class UnixSocket implements Closeable {
  private final AFUNIXSocketChannel channel;
  // The descriptor a cast channel runs on; the channel never closes it. Null when junixsocket
  // made the socket itself (connect, accept) and its channel owns the fd.
  private final Descriptor owned;
  private final AtomicBoolean closed = new AtomicBoolean();

  UnixSocket(AFUNIXSocketChannel channel, Descriptor owned) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.owned = owned;
  }

  /** The channel, for reading, writing and socket options. Close this object, not the channel. */
  public AFUNIXSocketChannel channel() {
    return channel;
  }

  /** Who is at the other end, as the kernel vouches for it ({@code SO_PEERCRED}); empty if unknown. */
  public Optional<PeerCredentials> peerCredentials() {
    try {
      AFUNIXSocketCredentials c = channel.getPeerCredentials();
      if (c == null || c.getPid() <= 0) return Optional.empty();
      return Optional.of(new PeerCredentials(c.getPid(), c.getUid(), c.getGid()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Shuts the socket down in both directions, then closes this process's descriptor. The
   * shutdown is what wakes a thread blocked reading or writing it and what the peer sees as end
   * of stream; it acts on the socket, so any other copy of this end (a dup, or one passed to
   * another process) stops working too. For an end whose copy lives on elsewhere, use
   * {@link #release()}. Idempotent; {@link #release()} after this does nothing.
   */
  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) return;
    try {
      channel.close();
    } finally {
      if (owned != null) owned.close();
    }
  }

  /**
   * Closes only this process's descriptor, leaving the socket working for other copies of it:
   * for an end this process has passed on (as a {@link Descriptor}) and no longer uses. The
   * descriptor is closed before the channel, so junixsocket's shutdown finds nothing to shut
   * down. Unlike {@link #close()}, this does not wake a thread blocked on the channel: do not
   * release a socket that is in use. Idempotent; {@link #close()} after this does nothing.
   */
  public void release() throws IOException {
    if (!closed.compareAndSet(false, true)) return;
    if (owned != null) {
      owned.close();
    } else {
      Fds.close(channel.getFileDescriptor());
    }
    channel.close();
  }

  @Override
  public String toString() {
    return "UnixSocket[" + channel + (closed.get() ? ", closed]" : "]");
  }
}
