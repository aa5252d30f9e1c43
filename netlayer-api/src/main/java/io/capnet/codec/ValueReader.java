package io.capnet.codec;

import java.io.Closeable;
import java.io.IOException;

/** Reads a stream of values that has no frame boundaries, one value at a time. */
public interface ValueReader extends Closeable {
  /**
   * The next value, or {@code null} at a clean end of stream (between values).
   *
   * @throws DecodeException for malformed input, a broken limit, or an end of stream inside a
   *     value (rule {@code TRUNCATED}); the stream is then unusable
   */
  Object read() throws IOException;

  /** Bytes consumed so far. */
  long position();
}
