package io.capnet.value;

import java.util.List;
import java.util.Objects;

/**
 * A record {@code <label fields...>}. Records are not an OCapN model type: they carry CapTP
 * messages and descriptors ({@code <op:deliver ...>}, {@code <desc:export 5>}).
 */
public record Record(Object label, List<Object> fields) {
  public Record {
    Objects.requireNonNull(label, "label");
    fields = List.copyOf(fields);
  }

  /** A record labelled with the symbol {@code label}. */
  public static Record of(String label, Object... fields) {
    return new Record(new Symbol(label), List.of(fields));
  }

  /** True when the label is the symbol {@code name}. */
  public boolean hasLabel(String name) {
    return label instanceof Symbol s && s.name().equals(name);
  }

  public int size() {
    return fields.size();
  }

  public Object field(int index) {
    return fields.get(index);
  }

  @Override
  public String toString() {
    return Values.describe(this);
  }
}
