package io.capnet.captp;

import io.capnet.value.OcapnError;
import io.capnet.value.Values;

/** A promise or reference broke; {@link #reason()} is the OCapN value it broke with. */
public final class BrokenException extends RuntimeException {
  private final transient Object reason;

  public BrokenException(Object reason) {
    super(messageOf(reason), null, false, false);
    this.reason = reason;
  }

  /** Usually an {@link OcapnError}, but a peer may break a promise with any value. */
  public Object reason() {
    return reason;
  }

  static String messageOf(Object reason) {
    if (reason instanceof OcapnError e) return e.message();
    return Values.describe(reason, 500);
  }
}
