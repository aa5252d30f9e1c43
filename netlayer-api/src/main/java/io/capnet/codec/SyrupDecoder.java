package io.capnet.codec;

import static io.capnet.codec.DecodeException.Rule.BYTES_TOO_LONG;
import static io.capnet.codec.DecodeException.Rule.COLLECTION_TOO_LONG;
import static io.capnet.codec.DecodeException.Rule.DEPTH_EXCEEDED;
import static io.capnet.codec.DecodeException.Rule.DUPLICATE_KEY;
import static io.capnet.codec.DecodeException.Rule.INTEGER_TOO_LARGE;
import static io.capnet.codec.DecodeException.Rule.MALFORMED_NUMBER;
import static io.capnet.codec.DecodeException.Rule.MALFORMED_VALUE;
import static io.capnet.codec.DecodeException.Rule.STRING_TOO_LONG;
import static io.capnet.codec.DecodeException.Rule.TRUNCATED;
import static io.capnet.codec.DecodeException.Rule.UNEXPECTED_BYTE;
import static io.capnet.codec.DecodeException.Rule.UNSUPPORTED_TYPE;
import static io.capnet.codec.DecodeException.Rule.VALUE_TOO_LARGE;

import io.capnet.value.Bytes;
import io.capnet.value.Null;
import io.capnet.value.OcapnError;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import io.capnet.value.Tagged;
import io.capnet.value.Undefined;
import io.capnet.value.Values;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recursive-descent Syrup parser over a bounded {@link Input}. Recursion is bounded by
 * {@link DecodeLimits#maxDepth()}, every declared length is checked before allocation, and
 * every read is bounded by {@link DecodeLimits#maxValueBytes()}.
 */
final class SyrupDecoder {
  private static final int LONG_SAFE_DIGITS = 18;
  // log10(2): decimal digits per bit, for rejecting huge integers before parsing them.
  private static final double DIGITS_PER_BIT = 0.30103;

  private final DecodeLimits limits;
  private final Input in;
  private final int maxIntegerDigits;

  SyrupDecoder(DecodeLimits limits, Input in) {
    this.limits = limits;
    this.in = in;
    this.maxIntegerDigits = (int) Math.ceil(limits.maxIntegerBits() * DIGITS_PER_BIT) + 1;
  }

  /** Skips whitespace, then reads one value. Returns null when the input ends before a value starts. */
  Object readTopLevel() throws IOException {
    int b = skipWhitespace();
    if (b < 0) return null;
    itemsLeft = limits.maxItems();
    return value(0);
  }

  private int itemsLeft; // of this value's maxItems

  /** Skips SP, HT, CR, LF; returns the next byte without consuming it, or -1 at the end. */
  int skipWhitespace() throws IOException {
    int b;
    while ((b = in.peek()) == ' ' || b == '\t' || b == '\r' || b == '\n') in.read();
    return b;
  }

  private Object value(int depth) throws IOException {
    int b = skipWhitespace();
    long start = in.position();
    if (b < 0) throw truncated(start, "expected a value");
    if (--itemsLeft < 0) {
      throw new DecodeException(DecodeException.Rule.TOO_MANY_ITEMS, start, "more than " + limits.maxItems()
          + " items in one value (maxItems)");
    }
    switch (b) {
      case 't':
        in.read();
        return Boolean.TRUE;
      case 'f':
        in.read();
        return Boolean.FALSE;
      case 'D': {
        in.read();
        return Double.longBitsToDouble(in.readLong(start));
      }
      case 'F': {
        in.read();
        return (double) Float.intBitsToFloat(in.readInt(start));
      }
      case '[':
        return list(depth, start);
      case '{':
        return struct(depth, start);
      case '<':
        return record(depth, start);
      case '#':
        throw new DecodeException(UNSUPPORTED_TYPE, start, "Syrup sets ('#') are not in the OCapN value model");
      default:
        if (b >= '0' && b <= '9') return numberPrefixed(start);
        throw new DecodeException(UNEXPECTED_BYTE, start, "byte " + show(b) + " does not start a Syrup value");
    }
  }

  private Object numberPrefixed(long start) throws IOException {
    // Digits, then one of : " ' + -. Leading zeros are not canonical and not accepted.
    int first = in.read();
    long n = first - '0';
    int digits = 1;
    StringBuilder big = null;
    int b;
    while ((b = in.peek()) >= '0' && b <= '9') {
      in.read();
      if (first == '0') {
        throw new DecodeException(MALFORMED_NUMBER, start, "leading zero in a Syrup number");
      }
      digits++;
      if (digits > LONG_SAFE_DIGITS) {
        if (big == null) big = new StringBuilder().append(n);
        if (digits > maxIntegerDigits) {
          throw new DecodeException(INTEGER_TOO_LARGE, start,
              "more than " + maxIntegerDigits + " digits (maxIntegerBits " + limits.maxIntegerBits() + ")");
        }
        big.append((char) b);
      } else {
        n = n * 10 + (b - '0');
      }
    }
    if (b < 0) throw truncated(in.position(), "number or length not terminated");
    in.read();
    switch (b) {
      case '+':
      case '-': {
        if (big == null) return b == '+' ? n : -n;
        BigInteger v = new BigInteger(big.toString());
        if (v.bitLength() > limits.maxIntegerBits()) {
          throw new DecodeException(INTEGER_TOO_LARGE, start,
              "integer of " + v.bitLength() + " bits exceeds maxIntegerBits " + limits.maxIntegerBits());
        }
        return Values.integer(b == '+' ? v : v.negate());
      }
      case ':': {
        int len = length(big, n, limits.maxByteArrayBytes(), BYTES_TOO_LONG, "byte array", start);
        return Bytes.adopt(in.readBytes(len, start));
      }
      case '"': {
        int len = length(big, n, limits.maxStringBytes(), STRING_TOO_LONG, "string", start);
        return in.readUtf8(len, start, "string");
      }
      case '\'': {
        int len = length(big, n, limits.maxStringBytes(), STRING_TOO_LONG, "symbol", start);
        return in.readSymbol(len, start);
      }
      default:
        throw new DecodeException(UNEXPECTED_BYTE, in.position() - 1,
            "byte " + show(b) + " after digits; expected one of : \" ' + -");
    }
  }

  private static int length(StringBuilder big, long n, int max, DecodeException.Rule rule, String what, long start)
      throws DecodeException {
    if (big != null || n > max) {
      throw new DecodeException(rule, start,
          what + " declares " + (big != null ? big : Long.toString(n)) + " bytes, over the limit of " + max);
    }
    return (int) n;
  }

  private List<Object> list(int depth, long start) throws IOException {
    in.read();
    enter(depth, start);
    ArrayList<Object> items = new ArrayList<>();
    while (true) {
      int b = skipWhitespace();
      if (b == ']') {
        in.read();
        return Collections.unmodifiableList(items);
      }
      if (b < 0) throw truncated(in.position(), "list starting at byte " + start + " not closed");
      if (items.size() == limits.maxCollectionLength()) {
        throw new DecodeException(COLLECTION_TOO_LONG, start,
            "list has more than maxCollectionLength " + limits.maxCollectionLength() + " items");
      }
      items.add(value(depth + 1));
    }
  }

  private Map<Object, Object> struct(int depth, long start) throws IOException {
    in.read();
    enter(depth, start);
    LinkedHashMap<Object, Object> map = new LinkedHashMap<>();
    while (true) {
      int b = skipWhitespace();
      if (b == '}') {
        in.read();
        return Collections.unmodifiableMap(map);
      }
      if (b < 0) throw truncated(in.position(), "struct starting at byte " + start + " not closed");
      if (map.size() == limits.maxCollectionLength()) {
        throw new DecodeException(COLLECTION_TOO_LONG, start,
            "struct has more than maxCollectionLength " + limits.maxCollectionLength() + " entries");
      }
      long keyAt = in.position();
      Object key = value(depth + 1);
      if (skipWhitespace() == '}') {
        throw new DecodeException(MALFORMED_VALUE, keyAt, "struct key " + Values.describe(key) + " has no value");
      }
      Object val = value(depth + 1);
      if (map.putIfAbsent(key, val) != null) {
        throw new DecodeException(DUPLICATE_KEY, keyAt, "duplicate struct key " + Values.describe(key));
      }
    }
  }

  private Object record(int depth, long start) throws IOException {
    in.read();
    enter(depth, start);
    if (skipWhitespace() == '>') {
      throw new DecodeException(MALFORMED_VALUE, start, "record has no label");
    }
    Object label = value(depth + 1);
    ArrayList<Object> fields = new ArrayList<>(4);
    while (true) {
      int b = skipWhitespace();
      if (b == '>') {
        in.read();
        break;
      }
      if (b < 0) throw truncated(in.position(), "record starting at byte " + start + " not closed");
      if (fields.size() == limits.maxCollectionLength()) {
        throw new DecodeException(COLLECTION_TOO_LONG, start,
            "record has more than maxCollectionLength " + limits.maxCollectionLength() + " fields");
      }
      fields.add(value(depth + 1));
    }
    return passable(label, fields, start);
  }

  /** The records that stand for OCapN model types; every other record stays a Record. */
  private static Object passable(Object label, List<Object> fields, long start) throws DecodeException {
    if (label instanceof Symbol s) {
      switch (s.name()) {
        case SyrupCodec.VOID:
          arity(s, fields, 0, start);
          return Undefined.UNDEFINED;
        case SyrupCodec.NULL:
          arity(s, fields, 0, start);
          return Null.NULL;
        case SyrupCodec.TAGGED:
          arity(s, fields, 2, start);
          if (!(fields.get(0) instanceof Symbol tag)) {
            throw new DecodeException(MALFORMED_VALUE, start, "<desc:tagged> needs a symbol tag, got " + Values.describe(fields.get(0)));
          }
          return new Tagged(tag.name(), fields.get(1));
        case SyrupCodec.ERROR:
          arity(s, fields, 1, start);
          if (!(fields.get(0) instanceof String msg)) {
            throw new DecodeException(MALFORMED_VALUE, start, "<desc:error> needs a string message, got " + Values.describe(fields.get(0)));
          }
          return new OcapnError(msg);
        default:
          break;
      }
    }
    return new Record(label, fields);
  }

  private static void arity(Symbol label, List<Object> fields, int n, long start) throws DecodeException {
    if (fields.size() != n) {
      throw new DecodeException(MALFORMED_VALUE, start,
          "<" + label.name() + "> takes " + n + " field(s), got " + fields.size());
    }
  }

  private void enter(int depth, long start) throws DecodeException {
    if (depth + 1 > limits.maxDepth()) {
      throw new DecodeException(DEPTH_EXCEEDED, start, "nesting deeper than maxDepth " + limits.maxDepth());
    }
  }

  static DecodeException truncated(long offset, String what) {
    return new DecodeException(TRUNCATED, offset, "input ended: " + what);
  }

  static String show(int b) {
    return b >= 0x21 && b < 0x7f ? String.format("'%c' (0x%02x)", (char) b, b) : String.format("0x%02x", b);
  }

  /** A bounded byte source. Positions count from the start of the data or stream. */
  abstract static class Input {
    abstract int peek() throws IOException;

    abstract int read() throws IOException;

    abstract long position();

    abstract byte[] readBytes(int n, long itemStart) throws IOException;

    abstract String readUtf8(int n, long itemStart, String what) throws IOException;

    Symbol readSymbol(int n, long itemStart) throws IOException {
      return new Symbol(readUtf8(n, itemStart, "symbol"));
    }

    long readLong(long itemStart) throws IOException {
      byte[] b = readBytes(8, itemStart);
      long v = 0;
      for (byte x : b) v = (v << 8) | (x & 0xff);
      return v;
    }

    int readInt(long itemStart) throws IOException {
      byte[] b = readBytes(4, itemStart);
      int v = 0;
      for (byte x : b) v = (v << 8) | (x & 0xff);
      return v;
    }
  }

  /** Input over a byte array region; the region is the whole value. */
  static final class ArrayInput extends Input {
    private final byte[] data;
    private final int base;
    private final int end;
    private int pos;

    ArrayInput(byte[] data, int offset, int length) {
      this.data = data;
      this.base = offset;
      this.end = offset + length;
      this.pos = offset;
    }

    @Override
    int peek() {
      return pos < end ? data[pos] & 0xff : -1;
    }

    @Override
    int read() {
      return pos < end ? data[pos++] & 0xff : -1;
    }

    @Override
    long position() {
      return pos - base;
    }

    private void need(int n, long itemStart) throws DecodeException {
      if (end - pos < n) {
        throw new DecodeException(TRUNCATED, itemStart,
            "item declares " + n + " bytes but only " + (end - pos) + " remain");
      }
    }

    @Override
    byte[] readBytes(int n, long itemStart) throws DecodeException {
      need(n, itemStart);
      byte[] b = Arrays.copyOfRange(data, pos, pos + n);
      pos += n;
      return b;
    }

    @Override
    String readUtf8(int n, long itemStart, String what) throws DecodeException {
      need(n, itemStart);
      String s = WellFormedUtf8.decode(data, pos, n, position(), what);
      pos += n;
      return s;
    }

    @Override
    Symbol readSymbol(int n, long itemStart) throws DecodeException {
      need(n, itemStart);
      Symbol s = SymbolCache.SHARED.get(data, pos, n);
      if (s == null) {
        s = new Symbol(WellFormedUtf8.decode(data, pos, n, position(), "symbol"));
        SymbolCache.SHARED.put(data, pos, n, s);
      }
      pos += n;
      return s;
    }

    @Override
    long readLong(long itemStart) throws DecodeException {
      need(8, itemStart);
      long v = 0;
      for (int i = 0; i < 8; i++) v = (v << 8) | (data[pos++] & 0xff);
      return v;
    }
  }

  /**
   * Input over a stream with no frame boundaries. Reads are buffered, and each value may use
   * at most {@code maxValueBytes} from where it starts ({@link #startValue()}).
   */
  static final class StreamInput extends Input {
    private static final int CHUNK = 8192;
    private final InputStream in;
    private final int maxValueBytes;
    private final byte[] buf = new byte[CHUNK];
    private int bufPos;
    private int bufEnd;
    private long consumed; // stream offset of buf[0]
    private long valueLimit = Long.MAX_VALUE;

    StreamInput(InputStream in, int maxValueBytes) {
      this.in = in;
      this.maxValueBytes = maxValueBytes;
    }

    void startValue() {
      valueLimit = position() + maxValueBytes;
    }

    void endValue() {
      valueLimit = Long.MAX_VALUE;
    }

    private boolean fill() throws IOException {
      if (bufPos < bufEnd) return true;
      consumed += bufEnd;
      bufPos = 0;
      bufEnd = 0;
      int n = in.read(buf, 0, CHUNK);
      if (n <= 0) return false;
      bufEnd = n;
      return true;
    }

    private void checkLimit(long need) throws DecodeException {
      if (position() + need > valueLimit) {
        throw new DecodeException(VALUE_TOO_LARGE, valueLimit - maxValueBytes,
            "value is larger than maxValueBytes " + maxValueBytes);
      }
    }

    @Override
    int peek() throws IOException {
      return fill() ? buf[bufPos] & 0xff : -1;
    }

    @Override
    int read() throws IOException {
      checkLimit(1);
      return fill() ? buf[bufPos++] & 0xff : -1;
    }

    @Override
    long position() {
      return consumed + bufPos;
    }

    @Override
    byte[] readBytes(int n, long itemStart) throws IOException {
      checkLimit(n);
      // Grow as bytes arrive rather than trusting the declared length.
      byte[] out = new byte[Math.min(n, CHUNK)];
      int have = 0;
      while (have < n) {
        if (!fill()) {
          throw new DecodeException(TRUNCATED, itemStart,
              "stream ended after " + have + " of " + n + " declared bytes");
        }
        if (have == out.length) out = Arrays.copyOf(out, (int) Math.min(n, (long) out.length * 2));
        int take = Math.min(bufEnd - bufPos, out.length - have);
        System.arraycopy(buf, bufPos, out, have, take);
        bufPos += take;
        have += take;
      }
      return out;
    }

    @Override
    String readUtf8(int n, long itemStart, String what) throws IOException {
      long at = position();
      byte[] b = readBytes(n, itemStart);
      return WellFormedUtf8.decode(b, 0, n, at, what);
    }
  }
}
