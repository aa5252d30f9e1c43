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
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Syrup, OCapN's interchange format ({@code spec/syrup.md}). The encoder is canonical; the
 * decoder is bounded by {@link DecodeLimits}.
 *
 * <pre>
 * Integer    +-----------+---+      ByteArray +--------+---+-------------+
 *            | digits    |+/-|                | length | : | length bytes|
 *            +-----------+---+                +--------+---+-------------+
 * String     | length | " | UTF-8 bytes |     Symbol  | length | ' | UTF-8 bytes |
 * Float64    | D | 8 bytes IEEE 754, big-endian |  Boolean | t | or | f |
 * List       | [ | value* | ] |               Struct  | { | (key value)* | } |
 * Record     | &lt; | label | field* | &gt; |
 *
 * Model types carried as records:
 *   Undefined  &lt;void&gt;      Null  &lt;null&gt;
 *   Tagged     &lt;desc:tagged 'tag value&gt;   Error  &lt;desc:error "message"&gt;
 * </pre>
 *
 * Lengths and digits are ASCII decimal with no leading zeros. Struct entries are written in
 * the order of their keys' encoded bytes.
 */
final class SyrupCodec implements Codec {
  static final String VOID = "void";
  static final String NULL = "null";
  static final String TAGGED = "desc:tagged";
  static final String ERROR = "desc:error";
  static final long CANONICAL_NAN = 0x7ff8000000000000L;

  static final SyrupCodec DEFAULT = new SyrupCodec(DecodeLimits.DEFAULT);

  private static final int KEEP_BUFFER_MAX = 64 * 1024;
  private static final ThreadLocal<Out> BUFFERS = ThreadLocal.withInitial(() -> new Out(256));

  private final DecodeLimits limits;

  SyrupCodec(DecodeLimits limits) {
    this.limits = java.util.Objects.requireNonNull(limits, "limits");
  }

  @Override
  public String name() {
    return "syrup";
  }

  @Override
  public DecodeLimits limits() {
    return limits;
  }

  @Override
  public byte[] encode(Object value, EncodeContext context) {
    Out out = BUFFERS.get();
    boolean borrowed = !out.inUse;
    if (!borrowed) out = new Out(256);
    out.inUse = true;
    out.len = 0;
    try {
      new Writer(out, context, limits.maxDepth()).value(value, 0);
      return Arrays.copyOf(out.buf, out.len);
    } finally {
      out.inUse = false;
      if (borrowed && out.buf.length > KEEP_BUFFER_MAX) BUFFERS.set(new Out(256));
    }
  }

  @Override
  public Object decode(byte[] data, int offset, int length, DecodeContext context) throws DecodeException {
    java.util.Objects.checkFromIndexSize(offset, length, data.length);
    if (length > limits.maxValueBytes()) {
      throw new DecodeException(DecodeException.Rule.VALUE_TOO_LARGE, 0,
          length + " bytes exceed maxValueBytes " + limits.maxValueBytes());
    }
    SyrupDecoder.ArrayInput in = new SyrupDecoder.ArrayInput(data, offset, length);
    SyrupDecoder decoder = new SyrupDecoder(limits, in);
    try {
      Object v = decoder.readTopLevel();
      if (v == null) throw SyrupDecoder.truncated(0, "no value in " + length + " bytes");
      if (in.position() != length) {
        throw new DecodeException(DecodeException.Rule.TRAILING_BYTES, in.position(),
            (length - in.position()) + " bytes after the value");
      }
      return v;
    } catch (DecodeException e) {
      throw e;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("array input cannot fail with I/O", e);
    }
  }

  /** A growable output buffer. */
  static final class Out {
    byte[] buf;
    int len;
    boolean inUse;

    Out(int size) {
      buf = new byte[size];
    }

    void ensure(int extra) {
      if (len + extra > buf.length) {
        long want = Math.max((long) buf.length * 2, (long) len + extra);
        if (want > Integer.MAX_VALUE - 16) throw new EncodeException("encoded value larger than 2 GiB");
        buf = Arrays.copyOf(buf, (int) want);
      }
    }

    void write(int b) {
      ensure(1);
      buf[len++] = (byte) b;
    }

    void write(byte[] b, int off, int n) {
      ensure(n);
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }

    void ascii(String s) {
      int n = s.length();
      ensure(n);
      for (int i = 0; i < n; i++) buf[len++] = (byte) s.charAt(i);
    }

    /** Unsigned decimal digits of a non-negative long, or of 2^63 when v is Long.MIN_VALUE. */
    void digits(long v) {
      if (v < 0) {
        ascii(Long.toUnsignedString(v));
        return;
      }
      if (v < 10) {
        write('0' + (int) v);
        return;
      }
      int n = 0;
      for (long t = v; t > 0; t /= 10) n++;
      ensure(n);
      for (int i = len + n - 1; i >= len; i--) {
        buf[i] = (byte) ('0' + (v % 10));
        v /= 10;
      }
      len += n;
    }
  }

  /** One encoding pass. */
  private static final class Writer {
    private final Out out;
    private final EncodeContext context;
    private final int maxDepth;
    private boolean inReference;

    Writer(Out out, EncodeContext context, int maxDepth) {
      this.out = out;
      this.context = context;
      this.maxDepth = maxDepth;
    }

    void value(Object v, int depth) {
      if (v instanceof Record r) {
        enter(depth);
        out.write('<');
        value(r.label(), depth + 1);
        List<Object> fields = r.fields();
        for (int i = 0, n = fields.size(); i < n; i++) value(fields.get(i), depth + 1);
        out.write('>');
      } else if (v instanceof Symbol s) {
        text(s.name(), '\'', "symbol");
      } else if (v instanceof String s) {
        text(s, '"', "string");
      } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        long n = ((Number) v).longValue();
        if (n >= 0) {
          out.digits(n);
          out.write('+');
        } else {
          out.digits(-n); // -Long.MIN_VALUE stays negative and prints as 2^63
          out.write('-');
        }
      } else if (v instanceof BigInteger b) {
        out.ascii(b.abs().toString());
        out.write(b.signum() < 0 ? '-' : '+');
      } else if (v instanceof List<?> l) {
        enter(depth);
        out.write('[');
        for (Object o : l) value(o, depth + 1);
        out.write(']');
      } else if (v instanceof Boolean b) {
        out.write(b ? 't' : 'f');
      } else if (v instanceof Double d) {
        out.write('D');
        long bits = d.isNaN() ? CANONICAL_NAN : Double.doubleToRawLongBits(d);
        out.ensure(8);
        for (int i = 56; i >= 0; i -= 8) out.buf[out.len++] = (byte) (bits >>> i);
      } else if (v instanceof Bytes b) {
        out.digits(b.length());
        out.write(':');
        out.ensure(b.length());
        for (int i = 0, n = b.length(); i < n; i++) out.buf[out.len++] = b.get(i);
      } else if (v instanceof Map<?, ?> m) {
        enter(depth);
        struct(m, depth);
      } else if (v instanceof Undefined) {
        emptyRecord(VOID);
      } else if (v instanceof Null) {
        emptyRecord(NULL);
      } else if (v instanceof Tagged t) {
        enter(depth);
        out.write('<');
        text(TAGGED, '\'', "symbol");
        text(t.tag(), '\'', "tag");
        value(t.value(), depth + 1);
        out.write('>');
      } else if (v instanceof OcapnError e) {
        out.write('<');
        text(ERROR, '\'', "symbol");
        text(e.message(), '"', "error message");
        out.write('>');
      } else if (v instanceof Reference ref) {
        if (inReference) {
          throw new EncodeException("EncodeContext.reference returned a value that holds a live reference");
        }
        Object replacement = context.reference(ref);
        if (replacement == null) throw new EncodeException("EncodeContext.reference returned null");
        inReference = true;
        try {
          value(replacement, depth);
        } finally {
          inReference = false;
        }
      } else if (v instanceof Descriptor) {
        throw new EncodeException(
            "Syrup cannot carry a Descriptor: file descriptors cross only netlayers that pass them (unix, with CBOR)");
      } else {
        throw EncodeException.notAValue(v);
      }
    }

    private void enter(int depth) {
      if (depth + 1 > maxDepth) {
        throw new EncodeException("value nests deeper than maxDepth " + maxDepth + " (or is cyclic)");
      }
    }

    private void emptyRecord(String label) {
      out.write('<');
      text(label, '\'', "symbol");
      out.write('>');
    }

    private void text(String s, char joiner, String what) {
      int n = WellFormedUtf8.encodedLength(s);
      if (n < 0) throw new EncodeException(what + " contains an unpaired surrogate and has no UTF-8 form");
      out.digits(n);
      out.write(joiner);
      out.ensure(n);
      out.len = WellFormedUtf8.encode(s, out.buf, out.len);
    }

    private void struct(Map<?, ?> m, int depth) {
      int n = m.size();
      byte[][] keys = new byte[n][];
      Object[] vals = new Object[n];
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Out k = new Out(16);
        new Writer(k, context, maxDepth).value(e.getKey(), depth + 1);
        keys[i] = Arrays.copyOf(k.buf, k.len);
        vals[i] = e.getValue();
        i++;
      }
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) order[j] = j;
      Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys[a], keys[b]));
      out.write('{');
      for (int j = 0; j < n; j++) {
        if (j > 0 && Arrays.equals(keys[order[j]], keys[order[j - 1]])) {
          throw new EncodeException("struct has two keys with the same encoding");
        }
        byte[] k = keys[order[j]];
        out.write(k, 0, k.length);
        value(vals[order[j]], depth + 1);
      }
      out.write('}');
    }
  }
}
