package io.capnet.value;

import java.util.Objects;

/** OCapN Tagged: a String tag that gives a richer meaning to one value. */
public record Tagged(String tag, Object value) {
  public Tagged {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(value, "value (use Null.NULL or Undefined.UNDEFINED)");
    Values.requireWellFormed(tag, "tag");
  }

  @Override
  public String toString() {
    return Values.describe(this);
  }
}
