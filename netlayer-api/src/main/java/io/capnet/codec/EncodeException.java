package io.capnet.codec;

/** A value that this codec cannot write, e.g. a Descriptor on Syrup, or a lone surrogate. */
public final class EncodeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public EncodeException(String message) {
    super(message);
  }
}
