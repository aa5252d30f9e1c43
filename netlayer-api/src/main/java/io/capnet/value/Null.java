package io.capnet.value;

/** OCapN Null: JSON's {@code null}, distinct from {@link Undefined}. */
public enum Null {
  NULL;

  @Override
  public String toString() {
    return "null";
  }
}
