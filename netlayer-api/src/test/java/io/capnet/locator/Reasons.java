package io.capnet.locator;

/** Test helper: the reason code of the LocatorException that {@code r} throws. */
final class Reasons {
  private Reasons() {}

  static LocatorException.Reason reasonOf(Runnable r) {
    try {
      r.run();
    } catch (LocatorException e) {
      return e.reason();
    }
    throw new AssertionError("no LocatorException");
  }
}
