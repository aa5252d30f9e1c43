package io.capnet.codec;

import io.capnet.codec.DecodeException.Rule;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import io.capnet.value.OcapnError;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import io.capnet.value.Tagged;
import io.capnet.value.Undefined;
import io.capnet.value.Values;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes one frame of Capnet's CBOR profile straight from the input bytes: each item's head is
 * read and checked against the limits and the bytes left before anything is allocated, and the
 * value is built from the bytes themselves.
 *
 * <ul>
 *   <li>declared lengths and counts are checked against the limits and the bytes left;
 *   <li>only the profile's tags pass, each on its one content type;
 *   <li>every text string (and every chunk of an indefinite one) is validated UTF-8: no overlong
 *       forms, encoded surrogates or code points above U+10FFFF;
 *   <li>a struct key must be an untagged text string;
 *   <li>only simple values 20-23 are values; half and single floats widen to double exactly;
 *   <li>bignum magnitudes are unsigned.
 * </ul>
 *
 * <p>It once ran Jackson's parser beside these checks, as the token source. The checks already
 * read every byte Jackson did, and the parser cost a fifth of a small message's decode, so the
 * values now come from the checked bytes (issue 11; every vector and hostile-input test holds).
 *
 * <p>One instance per thread (see {@link CborCodec}).
 */
final class CborDecoder {
  private static final int INITIAL_STACK = 32;
  private static final int RETAINED_STACK = 1024;

  private final DecodeLimits limits;
  private final SymbolCache symbols;

  /** True while a decode runs on this instance (a context callback may decode re-entrantly). */
  boolean busy;

  /** Elements of the open lists and records, innermost last. */
  private Object[] stack = new Object[INITIAL_STACK];
  private int sp;

  // Per-call state.
  private byte[] buf;
  private int base;
  private int end;
  /** Index of the next item's first byte. */
  private int pos;
  /** Start of the item being decoded. */
  private int current;
  private DecodeContext context;

  // The head read by head(): its argument (unsigned), where it ends, and whether it was AI 31.
  private long arg;
  private int headEnd;
  private boolean indefinite;

  // The text or byte string read by scan(): where its content is, when not chunked.
  private int contentFrom;
  private int contentLength;
  private boolean chunked;
  private int chunksHead; // the head of an indefinite string, when chunked

  CborDecoder(DecodeLimits limits, SymbolCache symbols) {
    this.limits = limits;
    this.symbols = symbols;
  }

  private int itemsLeft; // of this value's maxItems

  Object decode(byte[] data, int offset, int length, DecodeContext ctx) throws DecodeException {
    Objects.checkFromIndexSize(offset, length, data.length);
    Objects.requireNonNull(ctx, "context");
    if (length > limits.maxValueBytes()) {
      throw new DecodeException(
          Rule.VALUE_TOO_LARGE,
          0,
          length + " bytes is over the limit of " + limits.maxValueBytes());
    }
    if (length == 0) {
      throw new DecodeException(Rule.TRUNCATED, 0, "no data: expected one CBOR item");
    }
    buf = data;
    base = offset;
    end = offset + length;
    pos = offset;
    current = offset;
    context = ctx;
    sp = 0;
    itemsLeft = limits.maxItems();
    boolean ok = false;
    try {
      Object value = item(0);
      if (pos != end) {
        throw error(
            Rule.TRAILING_BYTES, pos, (end - pos) + " bytes after the end of the item");
      }
      ok = true;
      return value;
    } catch (DecodeException e) {
      throw e;
    } catch (ContextFailure e) {
      throw e.getCause();
    } catch (StackOverflowError e) {
      throw new DecodeException(
          Rule.DEPTH_EXCEEDED, current - base, "nesting too deep for this thread's stack");
    } finally {
      buf = null;
      context = null;
      if (!ok) {
        Arrays.fill(stack, null);
        sp = 0;
      }
      if (stack.length > RETAINED_STACK) stack = new Object[INITIAL_STACK];
    }
  }

  // ---------------------------------------------------------------------------------------
  // Items

  /** Decodes the item at {@code pos} (the caller has checked {@code pos < end}). */
  private Object item(int depth) throws DecodeException {
    final int start = pos;
    current = start;
    if (--itemsLeft < 0) {
      throw error(Rule.TOO_MANY_ITEMS, start, "more than " + limits.maxItems() + " items in one value (maxItems)");
    }
    final int ib = buf[start] & 0xff;
    switch (ib >>> 5) {
      case 0:
      case 1:
        return integer(start);
      case 2:
        scan(start, start, 2, limits.maxByteArrayBytes(), Rule.BYTES_TOO_LONG);
        if (chunked) return Bytes.adopt(joinChunks());
        return Bytes.of(buf, contentFrom, contentLength);
      case 3:
        scan(start, start, 3, limits.maxStringBytes(), Rule.STRING_TOO_LONG);
        return text();
      case 4:
        return list(start, depth);
      case 5:
        return struct(start, depth);
      case 6:
        return tagged(start, depth);
      default:
        return simple(start, ib);
    }
  }

  private Object integer(int start) throws DecodeException {
    head(start, start);
    if (indefinite) {
      throw error(
          Rule.UNEXPECTED_BYTE, start, "an integer head cannot have additional information 31");
    }
    pos = headEnd;
    boolean negative = (buf[start] & 0xe0) == 0x20;
    if (arg >= 0) return negative ? -1 - arg : arg;
    // Only outside the long range: 2^63..2^64-1 and -2^64..-2^63-1.
    BigInteger magnitude = new BigInteger(Long.toUnsignedString(arg));
    return Values.integer(negative ? magnitude.not() : magnitude);
  }

  private Object simple(int start, int ib) throws DecodeException {
    int ai = ib & 0x1f;
    switch (ai) {
      case 20:
        pos = start + 1;
        return Boolean.FALSE;
      case 21:
        pos = start + 1;
        return Boolean.TRUE;
      case 22:
        pos = start + 1;
        return Null.NULL;
      case 23:
        pos = start + 1;
        return Undefined.UNDEFINED;
      case 25:
      case 26:
      case 27: {
        int size = 1 << (ai - 24);
        if (end - start - 1 < size) {
          throw error(
              Rule.TRUNCATED, start, "a " + (size * 8) + "-bit float needs " + size + " bytes");
        }
        pos = start + 1 + size;
        long bits = 0;
        for (int i = start + 1; i < pos; i++) bits = (bits << 8) | (buf[i] & 0xff);
        // Half and single floats widen to double exactly; every NaN becomes the one NaN.
        double d = switch (size) {
          case 2 -> Float.float16ToFloat((short) bits);
          case 4 -> Float.intBitsToFloat((int) bits);
          default -> Double.longBitsToDouble(bits);
        };
        return d != d ? Double.NaN : d;
      }
      case 24: {
        if (end - start < 2) {
          throw error(Rule.TRUNCATED, start, "simple value head 0xf8 needs one more byte");
        }
        int v = buf[start + 1] & 0xff;
        if (v < 32) {
          throw error(
              Rule.MALFORMED_VALUE,
              start,
              "simple value " + v + " must use the one-byte form (0xf8 is for 32-255)");
        }
        throw unsupportedSimple(start, v);
      }
      case 28:
      case 29:
      case 30:
        throw error(Rule.UNEXPECTED_BYTE, start, String.format("reserved initial byte 0x%02x", ib));
      case 31:
        throw error(Rule.UNEXPECTED_BYTE, start, "break (0xff) outside an indefinite-length item");
      default:
        throw unsupportedSimple(start, ai);
    }
  }

  private DecodeException unsupportedSimple(int start, int value) {
    return error(
        Rule.UNSUPPORTED_TYPE,
        start,
        "simple value "
            + value
            + " is not an OCapN value (only false, true, null and undefined are); references"
            + " travel as desc: records, not as a simple-value placeholder");
  }

  private Object list(int start, int depth) throws DecodeException {
    head(start, start);
    checkDepth(start, depth);
    long n = count(start, 1, 0);
    pos = headEnd;
    int from = sp;
    elements(start, n, depth, limits.maxCollectionLength());
    return popList(from);
  }

  private Object struct(int start, int depth) throws DecodeException {
    head(start, start);
    checkDepth(start, depth);
    long n = count(start, 2, 0);
    pos = headEnd;
    // Never pre-sized from the declared count.
    Map<String, Object> map = new LinkedHashMap<>();
    for (long i = 0; n < 0 || i < n; i++) {
      if (pos >= end) throw endsInside(start, "struct");
      int at = pos;
      if (n < 0) {
        if (buf[at] == (byte) 0xff) {
          pos = at + 1;
          break;
        }
        if (i >= limits.maxCollectionLength()) throw tooManyItems(start, "entries");
      }
      String key = key(at);
      if (map.containsKey(key)) {
        throw error(Rule.DUPLICATE_KEY, at, "struct key " + quote(key) + " appears twice");
      }
      if (pos >= end) throw endsInside(start, "struct");
      map.put(key, item(depth + 1));
    }
    return Collections.unmodifiableMap(map);
  }

  private String key(int at) throws DecodeException {
    current = at;
    int kb = buf[at] & 0xff;
    if ((kb >>> 5) != 3) {
      if (!wellFormedInitial(kb)) {
        throw cannotStart(at, kb);
      }
      throw error(
          Rule.INVALID_KEY,
          at,
          "a struct key must be an untagged text string, not " + describeInitial(kb));
    }
    scan(at, at, 3, limits.maxStringBytes(), Rule.STRING_TOO_LONG);
    return text();
  }

  private Object tagged(int start, int depth) throws DecodeException {
    head(start, start);
    if (indefinite) {
      throw error(Rule.UNEXPECTED_BYTE, start, "a tag head cannot have additional information 31");
    }
    long tag = arg;
    int q = headEnd;
    boolean known =
        tag == CborCodec.TAG_BIGNUM
            || tag == CborCodec.TAG_NEGATIVE_BIGNUM
            || tag == CborCodec.TAG_RECORD
            || tag == CborCodec.TAG_SYMBOL
            || tag == CborCodec.TAG_TAGGED
            || tag == CborCodec.TAG_ERROR
            || tag == CborCodec.TAG_DESCRIPTOR;
    if (!known) {
      throw error(
          Rule.UNKNOWN_TAG,
          start,
          "tag " + Long.toUnsignedString(tag) + " is not part of Capnet's CBOR profile");
    }
    if (q >= end) throw endsInside(start, "tagged item");
    int cb = buf[q] & 0xff;
    int major = cb >>> 5;
    if (major == 6) {
      throw error(
          Rule.UNKNOWN_TAG,
          start,
          "tag " + tag + " encloses another tag; the profile has no nested tags");
    }
    if (!wellFormedInitial(cb)) {
      throw cannotStart(q, cb);
    }
    int want = tag == CborCodec.TAG_BIGNUM || tag == CborCodec.TAG_NEGATIVE_BIGNUM ? 2
        : tag == CborCodec.TAG_SYMBOL ? 3
        : tag == CborCodec.TAG_DESCRIPTOR ? 0
        : 4;
    if (major != want) {
      throw error(
          Rule.UNKNOWN_TAG,
          start,
          "tag " + tag + " must enclose " + MAJOR_NAMES[want] + ", not " + describeInitial(cb));
    }
    if (tag == CborCodec.TAG_SYMBOL) return symbol(start, q);
    if (tag == CborCodec.TAG_RECORD) return record(start, q, depth);
    if (tag == CborCodec.TAG_TAGGED) return taggedValue(start, q, depth);
    if (tag == CborCodec.TAG_ERROR) return ocapnError(start, q, depth);
    if (tag == CborCodec.TAG_DESCRIPTOR) return descriptor(start, q);
    return bignum(start, q, tag == CborCodec.TAG_NEGATIVE_BIGNUM);
  }

  private Object bignum(int start, int q, boolean negative) throws DecodeException {
    scan(start, q, 2, limits.maxByteArrayBytes(), Rule.BYTES_TOO_LONG);
    BigInteger n = chunked ? new BigInteger(1, joinChunks())
        : contentLength == 0 ? BigInteger.ZERO : new BigInteger(1, buf, contentFrom, contentLength);
    if (n.bitLength() > limits.maxIntegerBits()) {
      throw error(Rule.INTEGER_TOO_LARGE, start,
          "bignum of " + n.bitLength() + " bits exceeds maxIntegerBits " + limits.maxIntegerBits());
    }
    // Tag 3 carries n for the integer -1 - n, which is ~n.
    return Values.integer(negative ? n.not() : n);
  }

  private Symbol symbol(int start, int q) throws DecodeException {
    scan(start, q, 3, limits.maxStringBytes(), Rule.STRING_TOO_LONG);
    if (!chunked) {
      Symbol cached = symbols.get(buf, contentFrom, contentLength);
      if (cached != null) return cached;
    }
    Symbol s = new Symbol(text());
    if (!chunked) symbols.put(buf, contentFrom, contentLength, s);
    return s;
  }

  private Object record(int start, int q, int depth) throws DecodeException {
    head(start, q);
    checkDepth(start, depth);
    if (!indefinite && arg == 0) throw noLabel(start);
    // The label is not counted against maxCollectionLength: a record has that many fields.
    long n = count(start, 1, 1);
    pos = headEnd;
    int from = sp;
    elements(start, n, depth, limits.maxCollectionLength() + 1L);
    if (sp == from) throw noLabel(start);
    Object label = stack[from];
    List<Object> fields = popList(from + 1);
    stack[from] = null;
    sp = from;
    return new Record(label, fields);
  }

  private DecodeException noLabel(int start) {
    return error(Rule.MALFORMED_VALUE, start, "a record (tag 27) array needs at least a label");
  }

  private Object taggedValue(int start, int q, int depth) throws DecodeException {
    head(start, q);
    checkDepth(start, depth);
    boolean indef = indefinite;
    if (!indef && arg != 2) {
      throw error(
          Rule.MALFORMED_VALUE,
          start,
          "a tagged value (tag 51713) is an array [tag, value] of 2 items, not "
              + Long.toUnsignedString(arg));
    }
    pos = headEnd;
    String tag =
        textElement(start, indef, "the tag of a tagged value (tag 51713) must be a text string");
    if (pos >= end) throw endsInside(start, "tagged value");
    if (indef && buf[pos] == (byte) 0xff) {
      throw error(
          Rule.MALFORMED_VALUE, start, "a tagged value (tag 51713) needs a value after its tag");
    }
    Object value = item(depth + 1);
    closeIndefinite(start, indef, "a tagged value (tag 51713) has exactly 2 items");
    return new Tagged(tag, value);
  }

  private Object ocapnError(int start, int q, int depth) throws DecodeException {
    head(start, q);
    checkDepth(start, depth);
    boolean indef = indefinite;
    if (!indef && arg != 1) {
      throw error(
          Rule.MALFORMED_VALUE,
          start,
          "an error (tag 51714) is an array [message] of 1 item, not "
              + Long.toUnsignedString(arg));
    }
    pos = headEnd;
    String message =
        textElement(start, indef, "the message of an error (tag 51714) must be a text string");
    closeIndefinite(start, indef, "an error (tag 51714) has exactly 1 item");
    return new OcapnError(message);
  }

  private Object descriptor(int start, int q) throws DecodeException {
    head(start, q);
    if (indefinite) {
      throw error(Rule.UNEXPECTED_BYTE, q, "an integer head cannot have additional information 31");
    }
    pos = headEnd;
    if (arg < 0) {
      throw error(
          Rule.DESCRIPTOR_SLOT,
          start,
          "descriptor slot " + Long.toUnsignedString(arg) + " is out of range");
    }
    long slot = arg;
    Descriptor d;
    try {
      d = context.descriptor(slot, start - base);
    } catch (RuntimeException e) {
      throw new ContextFailure(e);
    }
    if (d == null) {
      throw new ContextFailure(new NullPointerException("DecodeContext.descriptor returned null"));
    }
    return d;
  }

  /** A text string element of a tagged value or error. */
  private String textElement(int container, boolean indef, String what) throws DecodeException {
    if (pos >= end) throw endsInside(container, "array");
    int at = pos;
    int b = buf[at] & 0xff;
    if (indef && b == 0xff) {
      throw error(Rule.MALFORMED_VALUE, container, what + "; the array is empty");
    }
    if ((b >>> 5) != 3) {
      if (!wellFormedInitial(b)) {
        throw cannotStart(at, b);
      }
      throw error(Rule.MALFORMED_VALUE, at, what + ", not " + describeInitial(b));
    }
    current = at;
    scan(at, at, 3, limits.maxStringBytes(), Rule.STRING_TOO_LONG);
    return text();
  }

  /** The text string just scanned, its UTF-8 already validated by {@link #scan}. */
  private String text() throws DecodeException {
    if (chunked) return new String(joinChunks(), StandardCharsets.UTF_8);
    if (contentLength == 0) return "";
    return new String(buf, contentFrom, contentLength, StandardCharsets.UTF_8);
  }

  /** The content of the indefinite string just scanned: its chunks, already checked, joined. */
  private byte[] joinChunks() throws DecodeException {
    byte[] joined = new byte[contentLength];
    int o = 0;
    for (int q = chunksHead + 1; buf[q] != (byte) 0xff; ) {
      head(q, q);
      int len = (int) arg;
      System.arraycopy(buf, headEnd, joined, o, len);
      o += len;
      q = headEnd + len;
    }
    return joined;
  }

  private void closeIndefinite(int start, boolean indef, String what) throws DecodeException {
    if (!indef) return;
    if (pos >= end) throw endsInside(start, "array");
    if (buf[pos] != (byte) 0xff) throw error(Rule.MALFORMED_VALUE, start, what);
    pos++;
  }

  /** Pushes the elements of an array onto the stack: {@code n} of them, or up to a break. */
  private void elements(int start, long n, int depth, long maxItems) throws DecodeException {
    for (long i = 0; n < 0 || i < n; i++) {
      if (pos >= end) throw endsInside(start, "array");
      if (n < 0) {
        if (buf[pos] == (byte) 0xff) {
          pos++;
          return;
        }
        if (i >= maxItems) throw tooManyItems(start, "items");
      }
      Object v = item(depth + 1);
      if (sp == stack.length) stack = Arrays.copyOf(stack, sp * 2);
      stack[sp++] = v;
    }
  }

  private List<Object> popList(int from) {
    Object[] s = stack;
    int f = from;
    int n = sp - from;
    // The fixed-arity List.of forms wrap one array without a second copy.
    List<Object> list =
        switch (n) {
          case 0 -> List.of();
          case 1 -> List.of(s[f]);
          case 2 -> List.of(s[f], s[f + 1]);
          case 3 -> List.of(s[f], s[f + 1], s[f + 2]);
          case 4 -> List.of(s[f], s[f + 1], s[f + 2], s[f + 3]);
          case 5 -> List.of(s[f], s[f + 1], s[f + 2], s[f + 3], s[f + 4]);
          case 6 -> List.of(s[f], s[f + 1], s[f + 2], s[f + 3], s[f + 4], s[f + 5]);
          case 7 -> List.of(s[f], s[f + 1], s[f + 2], s[f + 3], s[f + 4], s[f + 5], s[f + 6]);
          case 8 -> List.of(
              s[f], s[f + 1], s[f + 2], s[f + 3], s[f + 4], s[f + 5], s[f + 6], s[f + 7]);
          default -> List.of(Arrays.copyOfRange(s, f, f + n));
        };
    for (int i = f; i < sp; i++) s[i] = null; // a few slots: a loop the JIT folds into this method
    sp = from;
    return list;
  }

  // ---------------------------------------------------------------------------------------
  // Heads, lengths, strings

  /**
   * Reads the head at {@code at} into {@link #arg}, {@link #headEnd}, {@link #indefinite}.
   * Reserved additional information (28-30) is {@code UNEXPECTED_BYTE} at {@code at}; a head
   * cut off by the end of input is {@code TRUNCATED} at {@code itemStart}.
   */
  private void head(int itemStart, int at) throws DecodeException {
    int ib = buf[at] & 0xff;
    int ai = ib & 0x1f;
    if (ai < 24) {
      arg = ai;
      headEnd = at + 1;
      indefinite = false;
      return;
    }
    int size;
    switch (ai) {
      case 24 -> size = 1;
      case 25 -> size = 2;
      case 26 -> size = 4;
      case 27 -> size = 8;
      case 31 -> {
        arg = -1;
        headEnd = at + 1;
        indefinite = true;
        return;
      }
      default -> throw error(
          Rule.UNEXPECTED_BYTE,
          at,
          String.format("initial byte 0x%02x has reserved additional information %d", ib, ai));
    }
    if (end - at - 1 < size) {
      throw error(Rule.TRUNCATED, itemStart, "the input ends inside an item head");
    }
    long v = 0;
    for (int i = at + 1, e = at + 1 + size; i < e; i++) {
      v = (v << 8) | (buf[i] & 0xff);
    }
    arg = v;
    headEnd = at + 1 + size;
    indefinite = false;
  }

  /**
   * The declared count of the array or map whose head was just read, or -1 if indefinite,
   * after checking it against the limit and the bytes left ({@code minItemBytes} per element).
   */
  private long count(int start, int minItemBytes, int uncounted) throws DecodeException {
    if (indefinite) return -1;
    if (Long.compareUnsigned(arg, limits.maxCollectionLength() + (long) uncounted) > 0) {
      throw tooManyItems(start, arg);
    }
    if (arg * minItemBytes > end - headEnd) {
      throw error(
          Rule.TRUNCATED,
          start,
          "declares " + arg + " items but only " + (end - headEnd) + " bytes remain");
    }
    return arg;
  }

  private void checkDepth(int start, int depth) throws DecodeException {
    if (depth >= limits.maxDepth()) {
      throw error(
          Rule.DEPTH_EXCEEDED,
          start,
          "nesting deeper than the limit of " + limits.maxDepth());
    }
  }

  /**
   * Checks the byte or text string (major type {@code major}) whose head is at {@code at}:
   * declared lengths against {@code max} and the bytes left, the chunks of an indefinite
   * string, and UTF-8 for text. Leaves {@link #pos} after the string.
   */
  private void scan(int itemStart, int at, int major, int max, Rule tooLong)
      throws DecodeException {
    head(itemStart, at);
    if (!indefinite) {
      if (Long.compareUnsigned(arg, max) > 0) throw tooLong(tooLong, itemStart, arg, max);
      if (arg > end - headEnd) {
        throw error(
            Rule.TRUNCATED,
            itemStart,
            "declares " + arg + " bytes but only " + (end - headEnd) + " remain");
      }
      int len = (int) arg;
      if (major == 3) checkUtf8(headEnd, headEnd + len);
      contentFrom = headEnd;
      contentLength = len;
      chunked = false;
      pos = headEnd + len;
      return;
    }
    long total = 0;
    int q = headEnd;
    while (true) {
      if (q >= end) throw endsInside(itemStart, "indefinite-length string");
      int cb = buf[q] & 0xff;
      if (cb == 0xff) {
        q++;
        break;
      }
      if ((cb >>> 5) != major || (cb & 0x1f) == 31) {
        throw error(
            Rule.UNEXPECTED_BYTE,
            q,
            "a chunk of an indefinite-length "
                + MAJOR_NAMES[major]
                + " must be a definite-length "
                + MAJOR_NAMES[major]
                + ", not "
                + describeInitial(cb));
      }
      head(itemStart, q);
      if (Long.compareUnsigned(arg, max) > 0 || total + arg > max) {
        throw tooLong(tooLong, itemStart, total + arg, max);
      }
      if (arg > end - headEnd) {
        throw error(Rule.TRUNCATED, itemStart, "a chunk declares more bytes than remain");
      }
      int len = (int) arg;
      // Each chunk must be valid UTF-8 on its own (RFC 8949 section 3.2.3).
      if (major == 3) checkUtf8(headEnd, headEnd + len);
      total += len;
      q = headEnd + len;
    }
    contentFrom = -1;
    contentLength = (int) total;
    chunked = true;
    chunksHead = at;
    pos = q;
  }

  private void checkUtf8(int from, int to) throws DecodeException {
    int bad = WellFormedUtf8.firstInvalid(buf, from, to);
    if (bad >= 0) {
      throw error(
          Rule.INVALID_UTF8,
          bad,
          String.format(
              "text is not well-formed UTF-8 (sequence starting 0x%02x)", buf[bad] & 0xff));
    }
  }

  /** False for initial bytes that are not well-formed anywhere an item may start. */
  private static boolean wellFormedInitial(int ib) {
    int ai = ib & 0x1f;
    if (ai >= 28 && ai <= 30) return false;
    if (ai == 31) {
      int major = ib >>> 5;
      return major >= 2 && major <= 5; // indefinite strings, arrays, maps; not ints, tags, break
    }
    return true;
  }

  private static final String[] MAJOR_NAMES = {
    "an unsigned integer", "a negative integer", "a byte string", "a text string",
    "an array", "a map", "a tag", "a simple value or float"
  };

  private static String describeInitial(int ib) {
    return MAJOR_NAMES[ib >>> 5] + String.format(" (initial byte 0x%02x)", ib);
  }

  // ---------------------------------------------------------------------------------------
  // Errors

  private DecodeException error(Rule rule, int at, String detail) {
    return new DecodeException(rule, at - base, detail);
  }

  /** The input ends where the next item (or break) of the container at {@code start} belongs. */
  private DecodeException endsInside(int start, String what) {
    return error(
        Rule.TRUNCATED,
        end,
        "the input ends inside the " + what + " that starts at byte " + (start - base));
  }

  private DecodeException cannotStart(int at, int initialByte) {
    return error(
        Rule.UNEXPECTED_BYTE,
        at,
        String.format("initial byte 0x%02x cannot start an item here", initialByte));
  }

  private DecodeException tooManyItems(int start, String what) {
    return error(
        Rule.COLLECTION_TOO_LONG,
        start,
        "more than " + limits.maxCollectionLength() + " " + what);
  }

  private DecodeException tooManyItems(int start, long declared) {
    return error(
        Rule.COLLECTION_TOO_LONG,
        start,
        "declares "
            + Long.toUnsignedString(declared)
            + " items; the limit is "
            + limits.maxCollectionLength());
  }

  private DecodeException tooLong(Rule rule, int start, long declared, int max) {
    return error(
        rule,
        start,
        Long.toUnsignedString(declared) + " bytes is over the limit of " + max);
  }

  private static String quote(String s) {
    return s.length() > 64 ? "\"" + s.substring(0, 64) + "...\"" : "\"" + s + "\"";
  }

  /** Carries an exception thrown by the caller's DecodeContext out unchanged. */
  private static final class ContextFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ContextFailure(RuntimeException cause) {
      super(cause);
    }

    @Override
    public synchronized RuntimeException getCause() {
      return (RuntimeException) super.getCause();
    }
  }
}
