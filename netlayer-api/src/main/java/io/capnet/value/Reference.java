package io.capnet.value;

/**
 * OCapN Target or Promise. Implemented by the session layer; a codec never writes a live
 * reference itself but asks its {@code EncodeContext} for the wire value that designates it.
 */
public interface Reference {
  enum Kind {
    TARGET,
    PROMISE
  }

  Kind referenceKind();
}
