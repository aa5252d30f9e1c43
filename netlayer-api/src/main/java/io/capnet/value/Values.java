package io.capnet.value;

import java.math.BigInteger;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Type checks, pass-invariant equality and the abstract notation for OCapN values. */
public final class Values {
  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private Values() {}

  /**
   * The type of {@code value}.
   *
   * @throws IllegalArgumentException naming the Java class when it is not a value
   */
  public static ValueType typeOf(Object value) {
    if (value == null) {
      throw new IllegalArgumentException(
          "null is not an OCapN value; use Null.NULL or Undefined.UNDEFINED");
    }
    if (value instanceof Undefined) return ValueType.UNDEFINED;
    if (value instanceof Null) return ValueType.NULL;
    if (value instanceof Boolean) return ValueType.BOOLEAN;
    if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger) return ValueType.INTEGER;
    if (value instanceof Double) return ValueType.FLOAT64;
    if (value instanceof String) return ValueType.STRING;
    if (value instanceof Bytes) return ValueType.BYTE_ARRAY;
    if (value instanceof Symbol) return ValueType.SYMBOL;
    if (value instanceof List) return ValueType.LIST;
    if (value instanceof Map) return ValueType.STRUCT;
    if (value instanceof Tagged) return ValueType.TAGGED;
    if (value instanceof Reference r) {
      return r.referenceKind() == Reference.Kind.TARGET ? ValueType.TARGET : ValueType.PROMISE;
    }
    if (value instanceof OcapnError) return ValueType.ERROR;
    if (value instanceof Descriptor) return ValueType.DESCRIPTOR;
    if (value instanceof Record) return ValueType.RECORD;
    throw new IllegalArgumentException(
        "not an OCapN value: " + value.getClass().getName()
            + " (Float, byte[] and Character have no OCapN type; use Double, Bytes, String)");
  }

  /** The normal form of an integer: a Long when it fits, otherwise a BigInteger. */
  public static Object integer(BigInteger value) {
    return value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0
        ? (Object) value.longValue()
        : value;
  }

  /** Any accepted integer form as a BigInteger. */
  public static BigInteger toBigInteger(Object integer) {
    if (integer instanceof BigInteger b) return b;
    if (integer instanceof Number n
        && (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte)) {
      return BigInteger.valueOf(n.longValue());
    }
    throw new IllegalArgumentException("not an integer: " + integer);
  }

  /** OCapN pass-invariant equality over every Java form the encoders accept. */
  public static boolean equal(Object a, Object b) {
    if (a == b) return true;
    if (a == null || b == null) return false;
    ValueType ta = typeOf(a);
    if (ta != typeOf(b)) return false;
    switch (ta) {
      case INTEGER:
        return toBigInteger(a).equals(toBigInteger(b));
      case LIST: {
        List<?> la = (List<?>) a;
        List<?> lb = (List<?>) b;
        if (la.size() != lb.size()) return false;
        Iterator<?> ia = la.iterator();
        Iterator<?> ib = lb.iterator();
        while (ia.hasNext()) {
          if (!equal(ia.next(), ib.next())) return false;
        }
        return true;
      }
      case STRUCT: {
        Map<?, ?> ma = (Map<?, ?>) a;
        Map<?, ?> mb = (Map<?, ?>) b;
        if (ma.size() != mb.size()) return false;
        for (Map.Entry<?, ?> e : ma.entrySet()) {
          Object other = findKey(mb, e.getKey());
          if (other == NO_KEY || !equal(e.getValue(), other)) return false;
        }
        return true;
      }
      case TAGGED: {
        Tagged x = (Tagged) a;
        Tagged y = (Tagged) b;
        return x.tag().equals(y.tag()) && equal(x.value(), y.value());
      }
      case RECORD: {
        Record x = (Record) a;
        Record y = (Record) b;
        return equal(x.label(), y.label()) && equal(x.fields(), y.fields());
      }
      default:
        // Double.equals is pass-invariant: NaN equals NaN, -0.0 differs from 0.0.
        return a.equals(b);
    }
  }

  private static final Object NO_KEY = new Object();

  private static Object findKey(Map<?, ?> map, Object key) {
    if (map.containsKey(key)) return map.get(key);
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (equal(e.getKey(), key)) return e.getValue();
    }
    return NO_KEY;
  }

  /** True when {@code s} has no unpaired surrogate, so that it has a UTF-8 form. */
  public static boolean isWellFormed(CharSequence s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return false;
        }
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  static void requireWellFormed(String s, String what) {
    if (!isWellFormed(s)) {
      throw new IllegalArgumentException(what + " contains an unpaired surrogate");
    }
  }

  /** The value in OCapN's abstract notation, for logs and the CLI; cut at 2,000 chars. */
  public static String describe(Object value) {
    return describe(value, 2000);
  }

  /** The value in OCapN's abstract notation, cut with "..." after {@code maxChars}. */
  public static String describe(Object value, int maxChars) {
    StringBuilder sb = new StringBuilder();
    try {
      describe(value, sb, 0, maxChars);
    } catch (Truncated t) {
      sb.setLength(maxChars);
      sb.append("...");
    }
    return sb.toString();
  }

  private static final class Truncated extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Truncated() {
      super(null, null, false, false);
    }
  }

  private static final int DESCRIBE_DEPTH = 64;

  private static void describe(Object v, StringBuilder sb, int depth, int maxChars) {
    if (sb.length() > maxChars) throw new Truncated();
    if (depth > DESCRIBE_DEPTH) {
      sb.append("...");
      return;
    }
    if (v == null) {
      sb.append("<java-null>");
    } else if (v instanceof Boolean b) {
      sb.append(b ? 't' : 'f');
    } else if (v instanceof Double d) {
      if (d.isNaN()) sb.append("nan");
      else if (d.isInfinite()) sb.append(d > 0 ? "inf" : "-inf");
      else sb.append(d.doubleValue() == 0 && 1 / d < 0 ? "-0.0" : d.toString());
    } else if (v instanceof String s) {
      quote(s, sb);
    } else if (v instanceof List<?> l) {
      sb.append('[');
      String sep = "";
      for (Object o : l) {
        sb.append(sep);
        describe(o, sb, depth + 1, maxChars);
        sep = " ";
      }
      sb.append(']');
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      String sep = "";
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(sep);
        describe(e.getKey(), sb, depth + 1, maxChars);
        sb.append(": ");
        describe(e.getValue(), sb, depth + 1, maxChars);
        sep = ", ";
      }
      sb.append('}');
    } else if (v instanceof Record r) {
      sb.append('<');
      if (r.label() instanceof Symbol s) sb.append(s.name());
      else describe(r.label(), sb, depth + 1, maxChars);
      for (Object f : r.fields()) {
        sb.append(' ');
        describe(f, sb, depth + 1, maxChars);
      }
      sb.append('>');
    } else if (v instanceof Tagged t) {
      sb.append("#tagged(");
      quote(t.tag(), sb);
      sb.append(' ');
      describe(t.value(), sb, depth + 1, maxChars);
      sb.append(')');
    } else if (v instanceof OcapnError e) {
      sb.append("#error(");
      quote(e.message(), sb);
      sb.append(')');
    } else {
      sb.append(v);
    }
  }

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x;", (int) c));
      else sb.append(c);
    }
    sb.append('"');
  }
}
