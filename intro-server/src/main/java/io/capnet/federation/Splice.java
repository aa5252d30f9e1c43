package io.capnet.federation;

import io.capnet.codec.Codec;
import io.capnet.netlayer.Connection;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * Copies a local stream socket to and from a federation data connection, both ways, with
 * half-close. On the data connection each chunk is one frame holding a ByteArray, and a Null
 * frame says "no more from this side" (spec/federation.md).
 */
final class Splice {
  private static final System.Logger LOG = System.getLogger("io.capnet.federation");
  static final int CHUNK = 64 * 1024;

  private Splice() {}

  /** Starts both directions on platform threads; closes everything when both are done. */
  static void start(Descriptor local, Connection data, String name) throws IOException {
    SocketChannel ch = FileDescriptorCast.using(local.fileDescriptor()).as(SocketChannel.class);
    // A descriptor can arrive non-blocking (the flag is shared by every copy of a socket, and
    // junixsocket sets it for virtual threads); a non-blocking read returning 0 would look like an end.
    ch.configureBlocking(true);
    AtomicInteger open = new AtomicInteger(2);
    Runnable oneDone = () -> {
      if (open.decrementAndGet() == 0) closeAll(ch, local, data);
    };
    Codec codec = data.codec();
    Thread.ofPlatform().daemon(true).name("splice-out " + name).start(() -> {
      try {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        while (ch.read(buf) > 0) {
          data.send(codec.encode(Bytes.of(buf.array(), 0, buf.position())), List.of());
          data.flush();
          buf.clear();
        }
        data.send(codec.encode(Null.NULL), List.of());
        data.flush();
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.DEBUG, name + ": local to remote ended: " + e);
        closeAll(ch, local, data);
      } finally {
        oneDone.run();
      }
    });
    Thread.ofPlatform().daemon(true).name("splice-in " + name).start(() -> {
      try {
        for (Object m; (m = data.receive()) != null; ) {
          if (m instanceof Bytes b) {
            ByteBuffer buf = ByteBuffer.wrap(b.toByteArray());
            while (buf.hasRemaining()) ch.write(buf);
          } else if (m == Null.NULL) {
            ch.shutdownOutput();
            return;
          } else {
            throw new IOException("a federation data frame must be a ByteArray or null, got " + m.getClass().getSimpleName());
          }
        }
        ch.shutdownOutput();
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.DEBUG, name + ": remote to local ended: " + e);
        closeAll(ch, local, data);
      } finally {
        oneDone.run();
      }
    });
  }

  private static void closeAll(SocketChannel ch, Descriptor local, Connection data) {
    try {
      ch.close();
    } catch (IOException e) {
      // closing anyway
    }
    local.close();
    try {
      data.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
