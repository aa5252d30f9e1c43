package io.capnet.codec;

import io.capnet.value.Descriptor;

/** What a decoder asks of its caller for descriptors that arrived beside the frame. */
public interface DecodeContext {
  /**
   * Claims the descriptor in {@code slot} of the current frame. Each slot may be claimed once.
   *
   * @param offset the byte offset of the descriptor item, for the error
   * @throws DecodeException with rule {@code DESCRIPTOR_SLOT} for a slot the frame does not
   *     carry or one already claimed
   */
  Descriptor descriptor(long slot, long offset) throws DecodeException;

  /** No descriptors accompany the data: any descriptor item is an error. */
  DecodeContext NONE =
      (slot, offset) -> {
        throw new DecodeException(
            DecodeException.Rule.DESCRIPTOR_SLOT,
            offset,
            "descriptor slot " + slot + " but no descriptors accompany this data");
      };
}
