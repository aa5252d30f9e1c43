package io.capnet.locator;

import io.capnet.locator.LocatorException.Reason;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import io.capnet.value.ValueType;
import io.capnet.value.Values;

/** Helpers for reading the record forms. */
final class RecordForm {
  private RecordForm() {}

  static LocatorException bad(String detail) {
    return new LocatorException(Reason.BAD_RECORD, detail);
  }

  /**
   * Checks that {@code value} is a record labelled with the symbol {@code label} and with
   * {@code arity} fields. {@code otherLabel} is the label of the other kind of locator, reported
   * as {@code WRONG_KIND}.
   */
  static Record expect(Object value, String label, String otherLabel, String fieldNames, int arity) {
    if (!(value instanceof Record r)) {
      throw bad("expected an <" + label + " " + fieldNames + "> record, got " + describe(value));
    }
    if (!(r.label() instanceof Symbol s)) {
      throw bad("the record label must be the Symbol '" + label + ", got " + describe(r.label()));
    }
    if (s.name().equals(otherLabel)) {
      throw new LocatorException(
          Reason.WRONG_KIND, "expected an <" + label + " ...> record, got an <" + otherLabel + " ...>");
    }
    if (!s.name().equals(label)) {
      throw bad("expected the label '" + label + ", got " + describe(s));
    }
    if (r.size() != arity) {
      throw bad("<" + label + " " + fieldNames + "> has " + arity + " fields, got " + r.size());
    }
    return r;
  }

  /**
   * The OCapN type and a short rendering of {@code value}, for messages. Records and byte
   * arrays are not rendered: they may hold a swiss number.
   */
  static String describe(Object value) {
    if (value == null) return "Java null";
    ValueType type;
    try {
      type = Values.typeOf(value);
    } catch (IllegalArgumentException e) {
      return "a " + value.getClass().getName();
    }
    return switch (type) {
      case RECORD -> {
        Record r = (Record) value;
        String label = r.label() instanceof Symbol s ? s.name() : "?";
        yield "a Record <" + shorten(label) + " ...> with " + r.size() + " fields";
      }
      case BYTE_ARRAY -> "a ByteArray of " + ((Bytes) value).length() + " bytes";
      case STRING -> "the String " + shorten(Values.describe(value));
      case SYMBOL -> "the Symbol " + shorten(Values.describe(value));
      case BOOLEAN -> "the Boolean " + value;
      case STRUCT -> "a Struct";
      case LIST -> "a List";
      default -> "a value of type " + type;
    };
  }

  private static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
