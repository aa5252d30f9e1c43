package io.capnet.unix;

import io.capnet.codec.Codec;
import io.capnet.codec.EncodeContext;
import io.capnet.netlayer.Connection;
import io.capnet.value.Descriptor;
import io.capnet.value.Reference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Encodes a value the way a session does: each Descriptor in it gets the next slot. */
final class WithDescriptors implements EncodeContext {
  final List<Descriptor> attached = new ArrayList<>();

  @Override
  public Object reference(Reference ref) {
    throw new UnsupportedOperationException("no references in these tests");
  }

  @Override
  public int descriptor(Descriptor d) {
    attached.add(d);
    return attached.size() - 1;
  }

  /** Encodes {@code value} and sends it with its descriptors (not flushed). */
  static void send(Connection c, Object value) throws IOException {
    WithDescriptors ctx = new WithDescriptors();
    byte[] bytes = c.codec().encode(value, ctx);
    c.send(bytes, ctx.attached);
  }

  static byte[] encode(Codec codec, Object value) {
    return codec.encode(value, new WithDescriptors());
  }
}
