package io.capnet.codec;

/**
 * A wire codec for OCapN values. Instances are immutable and thread-safe. Make one per set of
 * limits and share it: a CBOR instance keeps per-thread parser state that a fresh instance
 * has to build again.
 *
 * <p>{@link #decode(byte[])} reads exactly one value that fills the buffer; anything after it
 * is a {@code TRAILING_BYTES} error.
 */
public interface Codec {
  /** {@code "syrup"} or {@code "cbor"}. */
  String name();

  DecodeLimits limits();

  /** The canonical encoding of a plain-data value. */
  default byte[] encode(Object value) {
    return encode(value, EncodeContext.NONE);
  }

  byte[] encode(Object value, EncodeContext context);

  default Object decode(byte[] data) throws DecodeException {
    return decode(data, 0, data.length, DecodeContext.NONE);
  }

  /** Decodes the one value in {@code data[offset, offset+length)}; offsets in errors count from {@code offset}. */
  Object decode(byte[] data, int offset, int length, DecodeContext context) throws DecodeException;

  /** The Syrup codec with default limits. */
  static Codec syrup() {
    return SyrupCodec.DEFAULT;
  }

  static Codec syrup(DecodeLimits limits) {
    return new SyrupCodec(limits);
  }

  /**
   * A streaming Syrup reader: values follow each other on {@code in} with no framing, as on
   * the tcp-testing-only netlayer. Each value is bounded by {@code limits}.
   */
  static ValueReader syrupReader(java.io.InputStream in, DecodeLimits limits) {
    return new SyrupStreamReader(in, limits);
  }

  /** The CBOR codec with default limits. */
  static Codec cbor() {
    return CborCodec.DEFAULT;
  }

  static Codec cbor(DecodeLimits limits) {
    return new CborCodec(limits);
  }

  /**
   * The codec a connection speaks, from its first byte (see {@code spec/codec-detection.md}):
   * {@code '<'} (0x3c) is Syrup, since every CapTP message is a Syrup record; a CBOR tag head
   * (major type 6, 0xc0-0xdb) is CBOR, since every Capnet CBOR message is a tag-27 record.
   *
   * @throws DecodeException with rule {@code UNEXPECTED_BYTE} for any other byte
   */
  static Codec detect(int firstByte, DecodeLimits limits) throws DecodeException {
    int b = firstByte & 0xff;
    if (b == '<') return syrup(limits);
    if (b >= 0xc0 && b <= 0xdb) return cbor(limits);
    throw new DecodeException(
        DecodeException.Rule.UNEXPECTED_BYTE,
        0,
        String.format(
            "first byte 0x%02x is neither a Syrup record ('<') nor a CBOR tag (0xc0-0xdb)", b));
  }
}
