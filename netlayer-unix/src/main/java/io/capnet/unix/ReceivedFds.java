package io.capnet.unix;

import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import java.io.FileDescriptor;
import java.util.ArrayDeque;
import java.util.Arrays;

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

  /** Closes every descriptor held, now and any added later: the connection is over. */
  synchronized void closeAll() {
    closed = true;
    for (Batch b : batches) Fds.closeAll(b.fds);
    batches.clear();
  }
}
