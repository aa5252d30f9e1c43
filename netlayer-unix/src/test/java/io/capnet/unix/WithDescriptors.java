package io.capnet.unix;

import io.capnet.codec.Codec;
import io.capnet.codec.EncodeContext;
import io.capnet.netlayer.Connection;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Encodes a value the way a session does: each Descriptor in it gets the next slot. */
final class WithDescriptors {
  private WithDescriptors() {}

  /** Encodes {@code value} and sends it with its descriptors (not flushed). */
  static void send(Connection c, Object value) throws IOException {
    List<Descriptor> attached = new ArrayList<>();
    byte[] bytes = c.codec().encode(value, EncodeContext.attachingTo(attached));
    c.send(bytes, attached);
  }

  static byte[] encode(Codec codec, Object value) {
    return codec.encode(value, EncodeContext.attachingTo(new ArrayList<>()));
  }
}
