package io.capnet.value;

import java.util.Objects;

/** OCapN Symbol: a name distinguished from a String by type, not content. */
public record Symbol(String name) {
  public Symbol {
    Objects.requireNonNull(name, "name");
    Values.requireWellFormed(name, "symbol");
  }

  public static Symbol of(String name) {
    return new Symbol(name);
  }

  @Override
  public String toString() {
    return "'" + name;
  }
}
