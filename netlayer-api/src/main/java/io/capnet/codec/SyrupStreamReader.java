package io.capnet.codec;

import java.io.IOException;
import java.io.InputStream;

/** Reads Syrup values one after another from a stream with no frame boundaries. */
final class SyrupStreamReader implements ValueReader {
  private final InputStream stream;
  private final SyrupDecoder.StreamInput in;
  private final SyrupDecoder decoder;
  private boolean failed;

  SyrupStreamReader(InputStream stream, DecodeLimits limits) {
    this.stream = java.util.Objects.requireNonNull(stream, "stream");
    this.in = new SyrupDecoder.StreamInput(stream, limits.maxValueBytes());
    this.decoder = new SyrupDecoder(limits, in);
  }

  @Override
  public Object read() throws IOException {
    if (failed) throw new IOException("stream is unusable after a decode error");
    try {
      if (decoder.skipWhitespace() < 0) return null;
      in.startValue();
      Object v = decoder.readTopLevel();
      in.endValue();
      return v;
    } catch (IOException | RuntimeException e) {
      failed = true;
      throw e;
    }
  }

  @Override
  public long position() {
    return in.position();
  }

  @Override
  public void close() throws IOException {
    stream.close();
  }
}
