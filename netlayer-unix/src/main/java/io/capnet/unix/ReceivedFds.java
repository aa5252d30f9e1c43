package io.capnet.unix;

import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * Descriptors received on one connection and not yet handed to a frame, each batch tagged with
 * the stream bytes of the read it arrived with.
 *
 * <p>On Linux one recvmsg on a stream socket returns the descriptors of at most one sendmsg, and
 * stops right after the bytes of that sendmsg's first segment; it may include fd-less bytes
 * before them. A sender attaches a frame's descriptors to the write that carries the frame's
 * first byte, so they arrive with the read that holds that byte. A batch therefore belongs to
 * the frames that start inside its read and declare descriptors, taken in stream order; once
 * the reader has passed the end of the read, whatever is left over was not declared.
 *
 * <p>The reader thread adds, claims and settles; {@link #closeAll()} may come from any thread.
 */
final class ReceivedFds {
  private static final FileDescriptor[] NONE = new FileDescriptor[0];

  private static final class Batch {
    final long start;
    final long end;
    final FileDescriptor[] fds; // slots already taken by a frame are null
    int next;
    long lastFrame = -1; // the last frame that took from this batch, for the error
    int lastCount;

    Batch(long start, long end, FileDescriptor[] fds) {
      this.start = start;
      this.end = end;
      this.fds = fds;
    }

    int left() {
      return fds.length - next;
    }
  }

  private final ArrayDeque<Batch> batches = new ArrayDeque<>();
  private boolean closed;
  private long readEnd; // stream offset just after the last byte read; reader only

  /**
   * Counts {@code n} stream bytes read elsewhere with no descriptors (the Switchboard's sniffed
   * first byte), so that offsets stay those of the stream.
   */
  void skip(int n) {
    readEnd += n;
  }

  /** The byte a caller read first, with its descriptors, as this stream's first read. */
  void first(UnixSockets.FirstByte b) {
    if (b.fds.length > 0) add(readEnd, readEnd + 1, b.fds);
    readEnd += 1;
  }

  /** How many descriptors are held and not yet claimed. */
  synchronized int held() {
    int n = 0;
    for (Batch b : batches) n += b.left();
    return n;
  }

  /** How many batches hold descriptors not yet claimed. */
  synchronized int heldBatches() {
    int n = 0;
    for (Batch b : batches) if (b.left() > 0) n++;
    return n;
  }

  /** The end offset of the first batch that holds descriptors, or -1. */
  synchronized long firstHeldEnd() {
    for (Batch b : batches) if (b.left() > 0) return b.end;
    return -1;
  }

  /** Every descriptor held, now the caller's; the batches are forgotten. */
  synchronized FileDescriptor[] drain() {
    java.util.List<FileDescriptor> out = new java.util.ArrayList<>();
    for (Batch b : batches) {
      for (int i = b.next; i < b.fds.length; i++) if (b.fds[i] != null) out.add(b.fds[i]);
    }
    batches.clear();
    return out.toArray(NONE);
  }

  /** Stream offset just after the last byte {@link #read} returned. */
  long readEnd() {
    return readEnd;
  }

  /**
   * One read from {@code channel} into {@code dst}, of at most {@code chunk} bytes, taking over
   * the descriptors that came with it. Returns the byte count, 0 if a non-blocking channel had
   * none, or -1 at end of stream.
   *
   * @throws DecodeException (descriptor-slot) when more descriptors came than junixsocket can
   *     receive ({@code maxFdsPerRead})
   */
  int read(AFUNIXSocketChannel channel, ByteBuffer dst, int chunk, int maxFdsPerRead, String description)
      throws IOException {
    int limit = dst.limit();
    if (dst.remaining() > chunk) dst.limit(dst.position() + chunk);
    int n = -1;
    try {
      n = channel.read(dst);
    } catch (SocketException e) {
      if (String.valueOf(e.getMessage()).contains("No buffer space available")) {
        throw new DecodeException(Rule.DESCRIPTOR_SLOT, readEnd,
            "more than " + maxFdsPerRead + " file descriptors arrived in one message, over what"
                + " junixsocket can receive (No buffer space available)", e);
      }
      throw e;
    } finally {
      dst.limit(limit);
      long start = readEnd;
      if (n > 0) readEnd += n;
      take(channel.getReceivedFileDescriptors(), start, readEnd, description);
    }
    return n;
  }

  /**
   * Takes ownership of descriptors junixsocket received. It keeps closing them until they are
   * closed through their FileDescriptor (it closes the ones it still tracks when the carrier
   * socket closes, trap 2), so each is duplicated and the original closed: the duplicate is
   * ours alone and outlives the connection.
   */
  private void take(FileDescriptor[] got, long start, long end, String description) throws IOException {
    if (got == null || got.length == 0) return;
    FileDescriptor[] mine = new FileDescriptor[got.length];
    IOException failure = null;
    for (int i = 0; i < got.length; i++) {
      try {
        if (failure == null) mine[i] = FileDescriptorCast.duplicating(got[i]).getFileDescriptor();
      } catch (IOException e) {
        failure = e;
      } finally {
        Fds.close(got[i]);
      }
    }
    if (failure != null) {
      Fds.closeAll(mine);
      throw new IOException(description + ": could not take over a received file descriptor", failure);
    }
    add(start, end, mine);
  }

  /** Takes ownership of {@code fds}, which arrived with the read of stream bytes [start, end). */
  synchronized void add(long start, long end, FileDescriptor[] fds) {
    if (closed) {
      Fds.closeAll(fds);
      return;
    }
    batches.addLast(new Batch(start, end, fds));
  }

  /**
   * The {@code count} descriptors of the frame whose first byte is at {@code frameStart}; the
   * caller owns them. Batches that end at or before {@code frameStart} must have been settled.
   *
   * @throws DecodeException if fewer arrived with the frame's first byte
   */
  synchronized FileDescriptor[] claim(long frameStart, int count) throws DecodeException {
    if (count == 0) return NONE;
    Batch b = batches.peekFirst();
    boolean here = b != null && b.start <= frameStart && frameStart < b.end;
    int available = here ? b.left() : 0;
    if (available < count) {
      throw new DecodeException(Rule.DESCRIPTOR_SLOT, frameStart,
          "frame declares " + Fds.count(count, "fd", "fds") + " but " + available + " arrived with it");
    }
    FileDescriptor[] taken = Arrays.copyOfRange(b.fds, b.next, b.next + count);
    Arrays.fill(b.fds, b.next, b.next + count, null);
    b.next += count;
    b.lastFrame = frameStart;
    b.lastCount = count;
    return taken;
  }

  /**
   * Checks every batch whose read ended at or before {@code nextFrameStart}: no frame can start
   * in it any more, so any descriptor still in it was never declared. A refused batch stays
   * here for {@link #closeAll()}.
   */
  synchronized void settle(long nextFrameStart) throws DecodeException {
    for (Batch b; (b = batches.peekFirst()) != null && b.end <= nextFrameStart; ) {
      int left = b.left();
      if (left > 0) {
        if (b.lastFrame < 0) {
          throw new DecodeException(Rule.DESCRIPTOR_SLOT, b.start,
              left == 1
                  ? "1 file descriptor arrived with no frame that declares it"
                  : left + " file descriptors arrived with no frame that declares them");
        }
        throw new DecodeException(Rule.DESCRIPTOR_SLOT, b.lastFrame,
            "frame declares " + Fds.count(b.lastCount, "fd", "fds") + " but "
                + (b.lastCount + left) + " arrived with it");
      }
      batches.removeFirst();
    }
  }

  /**
   * Refuses descriptors whose read began after the first byte of the unfinished frame at
   * {@code frameStart}: every byte of such a read is inside that frame, so no frame declares them.
   */
  synchronized void refuseInside(long frameStart) throws DecodeException {
    for (Batch b : batches) {
      if (b.start > frameStart && b.left() > 0) {
        throw new DecodeException(Rule.DESCRIPTOR_SLOT, b.start, Fds.count(b.left(), "file descriptor",
            "file descriptors") + " arrived with the body of an unfinished frame; a frame's descriptors come"
            + " with its first byte");
      }
    }
  }

  /**
   * Refuses the descriptors, beyond the {@code declared} count, of the read that holds the first
   * byte of the unfinished frame at {@code frameStart}: no later frame can start in that read.
   */
  synchronized void refuseBeyond(long frameStart, int declared) throws DecodeException {
    for (Batch b : batches) {
      if (b.start <= frameStart && frameStart < b.end && b.left() > declared) {
        throw new DecodeException(Rule.DESCRIPTOR_SLOT, frameStart, "frame declares "
            + Fds.count(declared, "fd", "fds") + " but " + b.left() + " arrived with it");
      }
    }
  }

  /** Closes every descriptor held, now and any added later: the connection is over. */
  synchronized void closeAll() {
    closed = true;
    for (Batch b : batches) Fds.closeAll(b.fds);
    batches.clear();
  }
}
