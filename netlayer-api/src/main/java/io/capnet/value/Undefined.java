package io.capnet.value;

/** OCapN Undefined: the absence of a value, distinct from {@link Null}. */
public enum Undefined {
  UNDEFINED;

  @Override
  public String toString() {
    return "undefined";
  }
}
