package io.capnet.switchboard;

import io.capnet.captp.BrokenException;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.SwitchboardException.Code;

/** Refusals as the wire carries them: a broken answer whose error text starts with the code. */
final class Errors {
  private Errors() {}

  static BrokenException of(Code code, String message) {
    return new BrokenException(new SwitchboardException(code, message).toError());
  }

  static BrokenException denied(String message) {
    return of(Code.PERMISSION_DENIED, message);
  }

  static BrokenException invalid(String message) {
    return of(Code.INVALID_ARGUMENT, message);
  }
}
