package io.capnet.codec;

import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import io.capnet.value.OcapnError;
import io.capnet.value.Record;
import io.capnet.value.Reference;
import io.capnet.value.Symbol;
import io.capnet.value.Tagged;
import io.capnet.value.Undefined;
import io.capnet.value.Values;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes the canonical encoding of one value into a buffer this instance keeps for the next
 * call: shortest heads, definite lengths, 64-bit floats, struct keys in bytewise order. One
 * instance per thread (see {@link CborCodec}).
 *
 * <p>It writes the bytes itself. It once drove Jackson's {@code CBORGenerator}, whose
 * write-context bookkeeping was over half the cost of encoding a small CapTP message; the heads
 * it wrote are a few lines here (issue 11; the vectors and the cbor-java cross-check hold it).
 */
final class CborEncoder {
  private static final int INITIAL_BUFFER = 256;
  private static final int RETAINED_BUFFER = 64 * 1024;
  private static final int TAIL_ROOM = 4 * 1024;
  private static final long NAN_BITS = 0x7ff8000000000000L;

  private final int maxDepth;
  private final Sink sink = new Sink();

  /** True while an encode runs on this instance (a context callback may encode re-entrantly). */
  boolean busy;

  // Per-call state.
  private EncodeContext context;
  private boolean inReference;

  CborEncoder(DecodeLimits limits) {
    this.maxDepth = limits.maxDepth();
  }

  byte[] encode(Object value, EncodeContext ctx) {
    if (ctx == null) throw new NullPointerException("context");
    sink.count = 0;
    context = ctx;
    inReference = false;
    try {
      value(value, 0);
      return Arrays.copyOf(sink.buf, sink.count);
    } catch (StackOverflowError e) {
      throw new EncodeException("value nested too deeply to encode on this thread's stack");
    } finally {
      context = null;
      if (sink.buf.length > RETAINED_BUFFER) sink.buf = new byte[INITIAL_BUFFER];
    }
  }

  private void value(Object v, int depth) {
    // The common types first: this is a CapTP message's path.
    if (v instanceof Record r) {
      container(depth);
      List<Object> fields = r.fields();
      int n = fields.size();
      head(MAJOR_TAG, CborCodec.TAG_RECORD);
      head(MAJOR_ARRAY, n + 1);
      value(r.label(), depth + 1);
      for (int i = 0; i < n; i++) value(fields.get(i), depth + 1);
    } else if (v instanceof Symbol s) {
      head(MAJOR_TAG, CborCodec.TAG_SYMBOL);
      string(s.name());
    } else if (v instanceof Long l) {
      integer(l);
    } else if (v instanceof String s) {
      text(s, "string");
      string(s);
    } else if (v instanceof List<?> list) {
      container(depth);
      int n = list.size();
      head(MAJOR_ARRAY, n);
      int written = 0;
      if (list instanceof java.util.RandomAccess) {
        for (int i = 0; i < n; i++) value(list.get(i), depth + 1);
        written = n;
      } else {
        for (Object o : list) {
          if (written++ == n) break;
          value(o, depth + 1);
        }
      }
      if (written != n) throw new EncodeException("list changed size while being encoded");
    } else if (v instanceof Reference ref) {
      reference(ref, depth);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      integer(((Number) v).longValue());
    } else if (v instanceof BigInteger b) {
      bigInteger(b);
    } else if (v instanceof Double d) {
      double x = d;
      sink.ensure(9);
      sink.buf[sink.count++] = (byte) 0xfb;
      sink.putLong(x != x ? NAN_BITS : Double.doubleToRawLongBits(x));
    } else if (v instanceof Boolean b) {
      sink.write(b ? 0xf5 : 0xf4);
    } else if (v instanceof Null) {
      sink.write(0xf6);
    } else if (v instanceof Undefined) {
      sink.write(0xf7);
    } else if (v instanceof Bytes b) {
      head(MAJOR_BYTES, b.length());
      sink.ensure(b.length());
      b.copyTo(sink.buf, sink.count);
      sink.count += b.length();
    } else if (v instanceof Map<?, ?> m) {
      struct(m, depth);
    } else if (v instanceof Tagged t) {
      container(depth);
      head(MAJOR_TAG, CborCodec.TAG_TAGGED);
      head(MAJOR_ARRAY, 2);
      string(t.tag());
      value(t.value(), depth + 1);
    } else if (v instanceof OcapnError e) {
      container(depth); // its array is a level, as the decoder counts it
      head(MAJOR_TAG, CborCodec.TAG_ERROR);
      head(MAJOR_ARRAY, 1);
      string(e.message());
    } else if (v instanceof Descriptor d) {
      int slot = context.descriptor(d);
      if (slot < 0) throw new EncodeException("EncodeContext.descriptor returned slot " + slot);
      head(MAJOR_TAG, CborCodec.TAG_DESCRIPTOR);
      head(MAJOR_UNSIGNED, slot);
    } else {
      throw EncodeException.notAValue(v);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Heads
  //
  //   initial byte: major type (3 bits) | additional information (5 bits)
  //   AI 0-23: the argument itself; 24/25/26/27: a 1/2/4/8-byte big-endian argument follows

  private static final int MAJOR_UNSIGNED = 0;
  private static final int MAJOR_NEGATIVE = 1;
  private static final int MAJOR_BYTES = 2;
  private static final int MAJOR_TEXT = 3;
  private static final int MAJOR_ARRAY = 4;
  private static final int MAJOR_MAP = 5;
  private static final int MAJOR_TAG = 6;

  /** The shortest head of {@code major} with {@code arg}, read as unsigned. */
  private void head(int major, long arg) {
    sink.ensure(9);
    byte[] b = sink.buf;
    int c = sink.count;
    int m = major << 5;
    if (arg >= 0 && arg < 24) {
      b[c++] = (byte) (m | (int) arg);
    } else if (arg >= 0 && arg < 0x100) {
      b[c++] = (byte) (m | 24);
      b[c++] = (byte) arg;
    } else if (arg >= 0 && arg < 0x10000) {
      b[c++] = (byte) (m | 25);
      b[c++] = (byte) (arg >>> 8);
      b[c++] = (byte) arg;
    } else if (arg >= 0 && arg < 0x100000000L) {
      b[c++] = (byte) (m | 26);
      for (int shift = 24; shift >= 0; shift -= 8) b[c++] = (byte) (arg >>> shift);
    } else {
      b[c++] = (byte) (m | 27);
      for (int shift = 56; shift >= 0; shift -= 8) b[c++] = (byte) (arg >>> shift);
    }
    sink.count = c;
  }

  private void integer(long x) {
    if (x >= 0) head(MAJOR_UNSIGNED, x);
    else head(MAJOR_NEGATIVE, -1 - x);
  }

  private void string(String s) {
    int n = s.length();
    // ASCII (every CapTP op and most symbols) is its own UTF-8: no byte[] in between.
    if (n < 24 * 1024) {
      sink.ensure(9 + n);
      int start = sink.count;
      head(MAJOR_TEXT, n);
      byte[] b = sink.buf;
      int c = sink.count;
      int i = 0;
      for (; i < n; i++) {
        char ch = s.charAt(i);
        if (ch >= 0x80) break;
        b[c + i] = (byte) ch;
      }
      if (i == n) {
        sink.count = c + n;
        return;
      }
      sink.count = start;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    head(MAJOR_TEXT, utf8.length);
    sink.write(utf8, 0, utf8.length);
  }

  private void binary(byte[] bytes) {
    head(MAJOR_BYTES, bytes.length);
    sink.write(bytes, 0, bytes.length);
  }

  private void container(int depth) {
    if (depth >= maxDepth) {
      throw new EncodeException(
          "value nests deeper than the codec's depth limit of " + maxDepth);
    }
  }

  private void reference(Reference ref, int depth) {
    if (inReference) {
      throw new EncodeException(
          "EncodeContext.reference returned a value that itself contains a live reference");
    }
    Object wire = context.reference(ref);
    if (wire == null) throw new EncodeException("EncodeContext.reference returned null");
    inReference = true;
    try {
      value(wire, depth);
    } finally {
      inReference = false;
    }
  }

  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  /**
   * Native major type 0/1 inside [-2^64, 2^64 - 1] (shortest head), otherwise tag 2/3 with
   * the shortest big-endian magnitude.
   */
  private void bigInteger(BigInteger b) {
    if (b.bitLength() <= 63) {
      integer(b.longValue());
      return;
    }
    if (b.signum() > 0) {
      if (b.bitLength() == 64) {
        head(MAJOR_UNSIGNED, b.longValue()); // 2^63 .. 2^64-1: the low 64 bits, unsigned
      } else {
        head(MAJOR_TAG, CborCodec.TAG_BIGNUM);
        binary(magnitude(b));
      }
      return;
    }
    BigInteger n = b.not(); // -1 - b, the CBOR argument for negative b
    if (n.bitLength() <= 64) {
      head(MAJOR_NEGATIVE, n.longValue());
    } else {
      head(MAJOR_TAG, CborCodec.TAG_NEGATIVE_BIGNUM);
      binary(magnitude(n));
    }
  }

  /** Big-endian bytes of a positive {@code n} without a leading zero byte. */
  private static byte[] magnitude(BigInteger n) {
    byte[] bytes = n.toByteArray();
    return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private void struct(Map<?, ?> m, int depth) {
    container(depth);
    int n = m.size();
    byte[][] encoded = new byte[n][];
    Object[] values = new Object[n];
    int i = 0;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (i == n) throw new EncodeException("struct changed size while being encoded");
      if (!(e.getKey() instanceof String k)) {
        throw new EncodeException(
            "struct keys must be Strings in CBOR, not "
                + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
      }
      text(k, "struct key");
      encoded[i] = k.getBytes(StandardCharsets.UTF_8);
      values[i] = e.getValue();
      i++;
    }
    if (i != n) throw new EncodeException("struct changed size while being encoded");
    Integer[] order = new Integer[n];
    for (int j = 0; j < n; j++) order[j] = j;
    // Bytewise order of the encoded keys (RFC 8949 section 4.2.1): the head encodes the
    // length, so a shorter key sorts first, then keys of one length compare bytewise.
    Arrays.sort(
        order,
        (a, b) -> {
          byte[] x = encoded[a];
          byte[] y = encoded[b];
          if (x.length != y.length) return Integer.compare(x.length, y.length);
          return Arrays.compareUnsigned(x, y);
        });
    head(MAJOR_MAP, n);
    for (int j = 0; j < n; j++) {
      int k = order[j];
      head(MAJOR_TEXT, encoded[k].length);
      sink.write(encoded[k], 0, encoded[k].length);
      value(values[k], depth + 1);
    }
  }

  private static void text(String s, String what) {
    if (!Values.isWellFormed(s)) {
      throw new EncodeException(what + " contains an unpaired surrogate and has no UTF-8 form");
    }
  }

  /** An unsynchronised, growable byte sink that this encoder keeps between calls. */
  private static final class Sink {
    byte[] buf = new byte[INITIAL_BUFFER];
    int count;

    void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    void putLong(long x) {
      for (int shift = 56; shift >= 0; shift -= 8) buf[count++] = (byte) (x >>> shift);
    }

    void ensure(int more) {
      if (more > buf.length - count) {
        // Room past a large write for what follows it (the rest of the message), so one large
        // ByteArray does not double the buffer again for its last few bytes.
        long want = Math.max((long) buf.length * 2, (long) count + more + TAIL_ROOM);
        if (want > Integer.MAX_VALUE - 8) {
          if ((long) count + more > Integer.MAX_VALUE - 8) {
            throw new EncodeException("encoded value is too large for a byte array");
          }
          want = Integer.MAX_VALUE - 8;
        }
        buf = Arrays.copyOf(buf, (int) want);
      }
    }
  }
}
