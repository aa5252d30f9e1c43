package io.capnet.value;

import java.util.Objects;

/**
 * OCapN Error: the reason a delivery was rejected. The model fixes only that an error
 * round-trips to an error; Capnet carries a human-readable message.
 */
public record OcapnError(String message) {
  public OcapnError {
    Objects.requireNonNull(message, "message");
    Values.requireWellFormed(message, "error message");
  }

  @Override
  public String toString() {
    return Values.describe(this);
  }
}
