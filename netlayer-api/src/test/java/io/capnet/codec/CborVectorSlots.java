package io.capnet.codec;

import io.capnet.value.Descriptor;
import io.capnet.value.Reference;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Descriptors for the {@code {"descriptor": n}} values of {@code cbor.json}: slots 0-31, each
 * an open {@code /dev/null} made on first use and kept for the test run. The decode context
 * hands out the slot's Descriptor (the same object the vector's value holds, since Descriptors
 * compare by identity) and refuses other slots; the encode context maps a Descriptor back to
 * its slot.
 */
final class CborVectorSlots {
  static final int SLOTS = 32;
  private static final Map<Long, Descriptor> DESCRIPTORS = new ConcurrentHashMap<>();

  private CborVectorSlots() {}

  static Descriptor slot(long n) {
    if (n < 0 || n >= SLOTS) throw new IllegalArgumentException("vectors use slots 0-31, not " + n);
    return DESCRIPTORS.computeIfAbsent(n, k -> open());
  }

  private static Descriptor open() {
    try {
      @SuppressWarnings("resource") // kept open for the whole test run
      FileInputStream in = new FileInputStream("/dev/null");
      return Descriptor.adopt(in.getFD());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int slotOf(Descriptor d) {
    for (Map.Entry<Long, Descriptor> e : DESCRIPTORS.entrySet()) {
      if (e.getValue() == d) return e.getKey().intValue();
    }
    throw new IllegalArgumentException("not a vector descriptor");
  }

  /** Slots 0-31 may each be claimed any number of times (one context serves many vectors). */
  static final DecodeContext DECODE =
      (slot, offset) -> {
        if (slot < 0 || slot >= SLOTS) {
          throw new DecodeException(
              DecodeException.Rule.DESCRIPTOR_SLOT, offset, "the frame carries slots 0-31, not " + slot);
        }
        return slot(slot);
      };

  static final EncodeContext ENCODE =
      new EncodeContext() {
        @Override
        public Object reference(Reference ref) {
          throw new EncodeException("no references in vectors");
        }

        @Override
        public int descriptor(Descriptor descriptor) {
          return slotOf(descriptor);
        }
      };

  static java.util.List<Vectors.Vector> load() {
    return Vectors.load("cbor.json", CborVectorSlots::slot);
  }
}
