package io.capnet.unix;

import io.capnet.value.Descriptor;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.SocketChannel;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * Turns connected sockets into {@link Descriptor}s that can be passed to another process. The
 * JDK does not expose a TCP channel's descriptor, so this reads it from the channel (which needs
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}; the capnet jar's manifest and launcher
 * give it), duplicates it, and closes the channel: the duplicate keeps the connection open and
 * belongs to the Descriptor alone.
 */
public final class SocketDescriptors {
  private SocketDescriptors() {}

  public static Descriptor of(SocketChannel channel) throws IOException {
    try (channel) {
      return Descriptor.adopt(duplicate(fileDescriptorOf(channel)));
    }
  }

  /** A unix socket's own descriptor, duplicated; the socket is then released, not shut down. */
  public static Descriptor of(UnixSocket socket) throws IOException {
    try {
      return Descriptor.adopt(duplicate(socket.channel().getFileDescriptor()));
    } finally {
      socket.release();
    }
  }

  private static FileDescriptor duplicate(FileDescriptor fd) throws IOException {
    return FileDescriptorCast.duplicating(fd).as(FileDescriptor.class);
  }

  private static FileDescriptor fileDescriptorOf(SocketChannel channel) throws IOException {
    try {
      Field f = channel.getClass().getDeclaredField("fd");
      f.setAccessible(true);
      return (FileDescriptor) f.get(channel);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IOException("cannot reach a TCP socket's descriptor (" + e.getMessage() + "); run with"
          + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED, as ./capnet does", e);
    }
  }
}
