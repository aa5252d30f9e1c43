package io.capnet.codec;

/** A value that this codec cannot write, e.g. a Descriptor on Syrup, or a lone surrogate. */
public final class EncodeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public EncodeException(String message) {
    super(message);
  }

  /** For a Java object with no OCapN type; the message says which type to use instead. */
  static EncodeException notAValue(Object value) {
    try {
      io.capnet.value.Values.typeOf(value);
    } catch (IllegalArgumentException e) {
      return new EncodeException(e.getMessage());
    }
    return new EncodeException("cannot encode " + value.getClass().getName());
  }
}
