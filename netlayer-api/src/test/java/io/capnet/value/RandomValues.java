package io.capnet.value;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded generator of plain-data OCapN values in decoded normal form (Long or BigInteger,
 * immutable lists, String-keyed structs), for round-trip properties. Includes the edge cases
 * codecs get wrong: NaN payloads, -0.0, integers at 2^63 and 2^64, astral-plane strings.
 */
public final class RandomValues {
  private final Random random;
  private final int maxDepth;
  private final boolean records;

  /** {@code records}: also produce Record values (CapTP framing), not only model types. */
  public RandomValues(long seed, int maxDepth, boolean records) {
    this.random = new Random(seed);
    this.maxDepth = maxDepth;
    this.records = records;
  }

  public Object next() {
    return value(0);
  }

  private Object value(int depth) {
    int kinds = depth >= maxDepth ? 9 : (records ? 14 : 13);
    switch (random.nextInt(kinds)) {
      case 0: return random.nextBoolean() ? Undefined.UNDEFINED : Null.NULL;
      case 1: return random.nextBoolean();
      case 2: return integer();
      case 3: return float64();
      case 4: return string();
      case 5: return bytes();
      case 6: return new Symbol(string());
      case 7: return new OcapnError(string());
      case 8: return integer();
      case 9: {
        int n = random.nextInt(6);
        List<Object> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(value(depth + 1));
        return Collections.unmodifiableList(l);
      }
      case 10:
      case 11: {
        int n = random.nextInt(6);
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) m.put(string(), value(depth + 1));
        return Collections.unmodifiableMap(m);
      }
      case 12: return new Tagged(string(), value(depth + 1));
      default: {
        int n = random.nextInt(5);
        List<Object> f = new ArrayList<>(n);
        for (int i = 0; i < n; i++) f.add(value(depth + 1));
        return new Record(new Symbol(random.nextBoolean() ? "op:deliver" : string()), f);
      }
    }
  }

  private Object integer() {
    switch (random.nextInt(6)) {
      case 0: return (long) random.nextInt(50) - 25;
      case 1: return random.nextLong();
      case 2: {
        long[] edges = {0, 23, 24, 255, 256, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE,
            Long.MAX_VALUE, Long.MIN_VALUE, -24, -25, -256, -257};
        return edges[random.nextInt(edges.length)];
      }
      case 3: {
        BigInteger two64 = BigInteger.ONE.shiftLeft(64);
        BigInteger[] edges = {two64, two64.subtract(BigInteger.ONE), two64.negate(),
            two64.negate().subtract(BigInteger.ONE), BigInteger.ONE.shiftLeft(63),
            BigInteger.ONE.shiftLeft(63).negate().subtract(BigInteger.ONE)};
        return Values.integer(edges[random.nextInt(edges.length)]);
      }
      default: {
        BigInteger b = new BigInteger(1 + random.nextInt(200), random);
        return Values.integer(random.nextBoolean() ? b : b.negate());
      }
    }
  }

  private Double float64() {
    switch (random.nextInt(5)) {
      case 0: {
        double[] edges = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, Double.MAX_VALUE, -Double.MIN_NORMAL, 1.0, 0.5};
        return edges[random.nextInt(edges.length)];
      }
      case 1: return Double.longBitsToDouble(random.nextLong());
      default: return random.nextGaussian() * 1e6;
    }
  }

  private String string() {
    int n = random.nextInt(12);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(4)) {
        case 0 -> sb.append((char) (0x20 + random.nextInt(0x5f)));
        case 1 -> sb.append((char) random.nextInt(0x80));
        case 2 -> {
          int cp;
          do cp = random.nextInt(0x10000); while (Character.isSurrogate((char) cp));
          sb.append((char) cp);
        }
        default -> sb.appendCodePoint(0x10000 + random.nextInt(0x100000));
      }
    }
    return sb.toString();
  }

  private Bytes bytes() {
    byte[] b = new byte[random.nextInt(20)];
    random.nextBytes(b);
    return Bytes.adopt(b);
  }
}
