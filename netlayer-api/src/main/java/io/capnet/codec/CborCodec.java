package io.capnet.codec;

import java.util.Objects;

/**
 * Capnet's CBOR codec (RFC 8949), the codec of Capnet's own netlayers, reading and writing the
 * bytes itself ({@link CborDecoder}, {@link CborEncoder}). The profile is specified in {@code spec/cbor.md};
 * the vectors in {@code spec/vectors/cbor.json} pin it down byte for byte.
 *
 * <p>The encoder writes one canonical form per value (shortest heads, definite lengths,
 * struct keys in bytewise order of their encodings, 64-bit floats, one NaN). The decoder also
 * accepts the other well-formed spellings a peer may send: longer heads, half and single
 * floats, indefinite lengths, small bignums and struct keys in any order. Every diagram below
 * shows the canonical form; bit 0 is the most significant bit of the first byte, and
 * {@code MT} is the major type (top 3 bits), {@code AI} the additional information (low 5).
 *
 * <h2>Atoms</h2>
 *
 * <pre>
 * Undefined, Null, false, true: one byte, major type 7
 *   0 1 2 3 4 5 6 7
 *  +-+-+-+-+-+-+-+-+
 *  |1 1 1|   AI    |   AI = 23 undefined (0xf7), 22 null (0xf6), 20 false (0xf4), 21 true (0xf5)
 *  +-+-+-+-+-+-+-+-+
 *
 * Integer in [-2^64, 2^64 - 1]: major type 0 (n &gt;= 0, argument n) or 1 (n &lt; 0,
 * argument -1 - n), shortest head: AI 0-23 is the argument itself, 24/25/26/27 mean that
 * 1/2/4/8 big-endian argument bytes follow
 *   0                   1                   2
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |0 0 s|   AI    |  argument (0, 1, 2, 4 or 8 bytes) ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   s = 0: 0x00-0x17, 0x18 nn, 0x19 nnnn, 0x1a nnnnnnnn, 0x1b nn*8
 *   s = 1: 0x20-0x37, 0x38 nn, 0x39 nnnn, 0x3a nnnnnnnn, 0x3b nn*8
 *
 * Integer outside that range: tag 2 (n &gt; 0, magnitude n) or 3 (n &lt; 0, magnitude
 * -1 - n) around a byte string holding the magnitude big-endian, no leading zero byte
 *   0                   1                   2
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | 0xc2 or 0xc3  | 0x49 (bytes,9)| magnitude (9+ bytes) ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Float64: always 64 bits; every NaN is written as 0x7ff8000000000000
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      0xfb     |      IEEE 754 binary64, big-endian (8 bytes)  ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * String (major type 3, valid UTF-8) and ByteArray (major type 2): head with the byte length
 *   0                   1                   2
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |0 1 x|   AI    | length (0-8 bytes) | content (length bytes) ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   x = 1: text (0x60-0x7b), x = 0: bytes (0x40-0x5b)
 *
 * Symbol: tag 280 around a text string
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  0xd9 (tag)   |  0x01 0x18 (280)              | text string ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <h2>Containers</h2>
 *
 * <pre>
 * List: major type 4, definite length, then the items
 *   0                   1
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |1 0 0|   AI    | count (0-8 B) | item ... item
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Struct: major type 5, definite length, entries sorted by the bytes of their encoded keys
 * (shorter key first, then bytewise); keys are untagged text strings
 *   0                   1
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |1 0 1|   AI    | count (0-8 B) | key value ... key value
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Record &lt;label field...&gt;: tag 27 around an array of 1 + fields items
 *   0                   1                   2
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  0xd8 (tag)   |   0x1b (27)   | array, n &gt;= 1 | label, field ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Tagged: tag 51713 around [tag-text, value]
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  0xd9 (tag)   |  0xca 0x01 (51713)            |  0x82 (array) | text, value
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Error: tag 51714 around [message-text]
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  0xd9 (tag)   |  0xca 0x02 (51714)            |  0x81 (array) | text
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Descriptor: tag 51715 around the unsigned slot number of the fd in this frame
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  0xd9 (tag)   |  0xca 0x03 (51715)            | unsigned int (slot)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Tags 51713-51715 are Capnet-provisional numbers from IANA's first-come-first-served
 * range; they will be replaced if OCapN assigns numbers. A live Target or Promise is never
 * written as such: the {@link EncodeContext} supplies its wire value (a {@code desc:} record).
 *
 * <p>Instances are immutable and thread-safe. Each thread keeps one encoder and one decoder
 * state per codec (a reusable output buffer, the decoder's element stack), so that a small
 * message costs little more than its result.
 */
final class CborCodec implements Codec {
  static final int TAG_BIGNUM = 2;
  static final int TAG_NEGATIVE_BIGNUM = 3;
  static final int TAG_RECORD = 27;
  static final int TAG_SYMBOL = 280;
  static final int TAG_TAGGED = 51713;
  static final int TAG_ERROR = 51714;
  static final int TAG_DESCRIPTOR = 51715;

  static final CborCodec DEFAULT = new CborCodec(DecodeLimits.DEFAULT);

  private final DecodeLimits limits;
  private final ThreadLocal<CborEncoder> encoders;
  private final ThreadLocal<CborDecoder> decoders;

  CborCodec(DecodeLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.encoders = ThreadLocal.withInitial(() -> new CborEncoder(limits));
    this.decoders = ThreadLocal.withInitial(() -> new CborDecoder(limits, SymbolCache.SHARED));
  }

  @Override
  public String name() {
    return "cbor";
  }

  @Override
  public DecodeLimits limits() {
    return limits;
  }

  @Override
  public byte[] encode(Object value, EncodeContext context) {
    CborEncoder encoder = encoders.get();
    if (encoder.busy) {
      // Re-entered from an EncodeContext callback: use a fresh encoder for the inner call.
      encoder = new CborEncoder(limits);
    }
    encoder.busy = true;
    try {
      return encoder.encode(value, context);
    } finally {
      encoder.busy = false;
    }
  }

  @Override
  public Object decode(byte[] data, int offset, int length, DecodeContext context)
      throws DecodeException {
    CborDecoder decoder = decoders.get();
    if (decoder.busy) {
      // Re-entered from a DecodeContext callback: use a fresh decoder for the inner call.
      decoder = new CborDecoder(limits, SymbolCache.SHARED);
    }
    decoder.busy = true;
    try {
      return decoder.decode(data, offset, length, context);
    } finally {
      decoder.busy = false;
    }
  }

  @Override
  public String toString() {
    return "CborCodec" + limits;
  }
}
