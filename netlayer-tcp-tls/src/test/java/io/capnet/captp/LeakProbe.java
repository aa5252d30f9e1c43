package io.capnet.captp;

import java.util.Set;

/** Lets tests outside this package use {@link SessionContractTest}'s thread and fd counts. */
public final class LeakProbe {
  private LeakProbe() {}

  /** Every live thread named {@code capnet-...}, virtual ones included, as "tid name". */
  public static Set<String> capnetThreads() {
    return SessionContractTest.capnetThreads();
  }

  public static long openFds() {
    return SessionContractTest.openFds();
  }
}
