package io.capnet.netlayer;

/** {@link Leaks} for tests outside this package. */
public final class FdCount {
  private FdCount() {}

  public static long open() {
    return Leaks.openFds();
  }

  public static void assertReturnsTo(long baseline) throws InterruptedException {
    Leaks.assertFdsReturnTo(baseline);
  }
}
