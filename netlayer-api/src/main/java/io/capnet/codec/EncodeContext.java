package io.capnet.codec;

import io.capnet.value.Descriptor;
import io.capnet.value.Reference;

/**
 * What an encoder asks of its caller (the session, the netlayer) for values that are not
 * plain data.
 */
public interface EncodeContext {
  /**
   * The wire value that designates {@code ref} in this session, e.g. {@code <desc:export 5>}.
   * The returned value must not itself contain a live reference.
   */
  Object reference(Reference ref);

  /**
   * Attaches {@code descriptor} to the frame being written and returns its slot: 0 for the first
   * descriptor of the frame, 1 for the next. The netlayer sends the fds beside the frame.
   */
  int descriptor(Descriptor descriptor);

  /**
   * For a frame that carries descriptors but no references: each Descriptor gets the next slot
   * and is appended to {@code attached}; a reference is refused with an EncodeException.
   */
  static EncodeContext attachingTo(java.util.List<Descriptor> attached) {
    return new EncodeContext() {
      @Override
      public Object reference(Reference ref) {
        return NONE.reference(ref);
      }

      @Override
      public int descriptor(Descriptor descriptor) {
        attached.add(descriptor);
        return attached.size() - 1;
      }
    };
  }

  /** For plain data: references and descriptors are refused with an EncodeException. */
  EncodeContext NONE =
      new EncodeContext() {
        @Override
        public Object reference(Reference ref) {
          throw new EncodeException(
              "a live " + ref.referenceKind() + " reference can only be written inside a session");
        }

        @Override
        public int descriptor(Descriptor descriptor) {
          throw new EncodeException("this connection cannot carry file descriptors");
        }
      };
}
