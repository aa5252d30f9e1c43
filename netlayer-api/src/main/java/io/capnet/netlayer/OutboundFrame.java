package io.capnet.netlayer;

import io.capnet.value.Descriptor;
import java.util.List;

/** One encoded message waiting to be written, with the descriptors that ride on it. */
public record OutboundFrame(byte[] bytes, List<Descriptor> descriptors) {
  public OutboundFrame {
    descriptors = List.copyOf(descriptors);
  }

  /** Closes the descriptors: they moved with the frame, whether it was written or dropped. */
  public void closeDescriptors() {
    for (Descriptor d : descriptors) {
      try {
        d.close();
      } catch (RuntimeException e) {
        // a descriptor that cannot be closed again is already closed
      }
    }
  }
}
