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
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes the canonical encoding of one value with Jackson's {@link
 * com.fasterxml.jackson.dataformat.cbor.CBORGenerator} into a buffer this instance keeps for
 * the next call. One instance per thread (see {@link CborCodec}).
 */
final class CborEncoder {
  private static final int INITIAL_BUFFER = 256;
  private static final int RETAINED_BUFFER = 64 * 1024;
  private static final int TAIL_ROOM = 4 * 1024;
  private static final long NAN_BITS = 0x7ff8000000000000L;

  private final CborJacksonFactory factory;
  private final int maxDepth;
  private final Sink sink = new Sink();

  /**
   * Jackson's generator, kept across calls: each call writes one root-level value and flushes
   * it into {@link #sink}. Dropped after any failure, and replaced now and then so that its
   * root-level counters never grow large.
   */
  private CborTokenGenerator pooledGenerator;

  private int generatorUses;
  private static final int GENERATOR_RECYCLE = 1 << 20;

  /** True while an encode runs on this instance (a context callback may encode re-entrantly). */
  boolean busy;

  // Per-call state.
  private CborTokenGenerator g;
  private EncodeContext context;
  private boolean inReference;

  CborEncoder(CborJacksonFactory factory, DecodeLimits limits) {
    this.factory = factory;
    this.maxDepth = limits.maxDepth();
  }

  byte[] encode(Object value, EncodeContext ctx) {
    if (ctx == null) throw new NullPointerException("context");
    CborTokenGenerator gen = pooledGenerator;
    pooledGenerator = null;
    if (gen == null || generatorUses >= GENERATOR_RECYCLE) {
      if (gen != null) closeQuietly(gen);
      gen = factory.newTokenGenerator(sink);
      generatorUses = 0;
    }
    sink.count = 0;
    g = gen;
    context = ctx;
    inReference = false;
    boolean ok = false;
    try {
      value(value, 0);
      gen.flush(); // Jackson's buffer into the sink; the generator stays at its root level
      byte[] out = Arrays.copyOf(sink.buf, sink.count);
      ok = true;
      return out;
    } catch (IOException e) {
      throw new EncodeException("CBOR encoding failed: " + e.getMessage());
    } catch (StackOverflowError e) {
      throw new EncodeException("value nested too deeply to encode on this thread's stack");
    } finally {
      g = null;
      context = null;
      if (ok) {
        // A generator that wrote a whole value is back at its root and writes the next one.
        pooledGenerator = gen;
        generatorUses++;
      } else {
        closeQuietly(gen);
      }
      if (sink.buf.length > RETAINED_BUFFER) sink.buf = new byte[INITIAL_BUFFER];
    }
  }

  private static void closeQuietly(CborTokenGenerator gen) {
    try {
      gen.close(); // returns Jackson's buffers to its pool
    } catch (IOException | RuntimeException ignored) {
      // The generator is dropped either way.
    }
  }

  private void value(Object v, int depth) throws IOException {
    // The common types first: this is a CapTP message's path.
    if (v instanceof Record r) {
      container(depth);
      List<Object> fields = r.fields();
      int n = fields.size();
      g.writeTag(CborCodec.TAG_RECORD);
      g.writeStartArray(r, n + 1);
      value(r.label(), depth + 1);
      for (int i = 0; i < n; i++) value(fields.get(i), depth + 1);
      g.writeEndArray();
    } else if (v instanceof Symbol s) {
      g.writeTag(CborCodec.TAG_SYMBOL);
      g.writeString(s.name());
    } else if (v instanceof Long l) {
      g.writeNumber(l.longValue());
    } else if (v instanceof String s) {
      text(s, "string");
      g.writeString(s);
    } else if (v instanceof List<?> list) {
      container(depth);
      int n = list.size();
      g.writeStartArray(list, n);
      if (list instanceof java.util.RandomAccess) {
        for (int i = 0; i < n; i++) value(list.get(i), depth + 1);
      } else {
        for (Object o : list) value(o, depth + 1);
      }
      g.writeEndArray();
    } else if (v instanceof Reference ref) {
      reference(ref, depth);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof BigInteger b) {
      bigInteger(b);
    } else if (v instanceof Double d) {
      double x = d;
      g.writeNumber(x != x ? Double.longBitsToDouble(NAN_BITS) : x);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Null) {
      g.writeNull();
    } else if (v instanceof Undefined) {
      g.writeUndefined();
    } else if (v instanceof Bytes b) {
      g.writeBinary(b.toByteArray());
    } else if (v instanceof Map<?, ?> m) {
      struct(m, depth);
    } else if (v instanceof Tagged t) {
      container(depth);
      g.writeTag(CborCodec.TAG_TAGGED);
      g.writeStartArray(t, 2);
      g.writeString(t.tag());
      value(t.value(), depth + 1);
      g.writeEndArray();
    } else if (v instanceof OcapnError e) {
      container(depth); // its array is a level, as the decoder counts it
      g.writeTag(CborCodec.TAG_ERROR);
      g.writeStartArray(e, 1);
      g.writeString(e.message());
      g.writeEndArray();
    } else if (v instanceof Descriptor d) {
      int slot = context.descriptor(d);
      if (slot < 0) throw new EncodeException("EncodeContext.descriptor returned slot " + slot);
      g.writeTag(CborCodec.TAG_DESCRIPTOR);
      g.writeNumber(slot);
    } else {
      throw EncodeException.notAValue(v);
    }
  }

  private void container(int depth) {
    if (depth >= maxDepth) {
      throw new EncodeException(
          "value nests deeper than the codec's depth limit of " + maxDepth);
    }
  }

  private void reference(Reference ref, int depth) throws IOException {
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
  private void bigInteger(BigInteger b) throws IOException {
    if (b.bitLength() <= 63) {
      g.writeNumber(b.longValue());
      return;
    }
    if (b.signum() > 0) {
      if (b.bitLength() == 64) {
        g.writeNumberUnsigned(b.longValue()); // 2^63 .. 2^64-1: the low 64 bits, unsigned
      } else {
        g.writeTag(CborCodec.TAG_BIGNUM);
        g.writeBinary(magnitude(b));
      }
      return;
    }
    BigInteger n = b.not(); // -1 - b, the CBOR argument for negative b
    if (n.bitLength() <= 64) {
      g.writeNegativeWithLongArgument(n.longValue());
    } else {
      g.writeTag(CborCodec.TAG_NEGATIVE_BIGNUM);
      g.writeBinary(magnitude(n));
    }
  }

  /** Big-endian bytes of a positive {@code n} without a leading zero byte. */
  private static byte[] magnitude(BigInteger n) {
    byte[] bytes = n.toByteArray();
    return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private void struct(Map<?, ?> m, int depth) throws IOException {
    container(depth);
    int n = m.size();
    String[] keys = new String[n];
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
      keys[i] = k;
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
    g.writeStartObject(m, n);
    for (int j = 0; j < n; j++) {
      int k = order[j];
      g.writeFieldName(keys[k]);
      value(values[k], depth + 1);
    }
    g.writeEndObject();
  }

  private static void text(String s, String what) {
    if (!Values.isWellFormed(s)) {
      throw new EncodeException(what + " contains an unpaired surrogate and has no UTF-8 form");
    }
  }

  /** An unsynchronised, growable byte sink that this encoder keeps between calls. */
  private static final class Sink extends OutputStream {
    byte[] buf = new byte[INITIAL_BUFFER];
    int count;

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void ensure(int more) {
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
