package io.capnet.codec;

/**
 * Bounds on what a decoder accepts. Defaults are in {@code spec/limits.md}; a change here must
 * change that document in the same commit.
 *
 * @param maxValueBytes the largest encoded value (a frame on framed netlayers)
 * @param maxDepth the deepest nesting of lists, structs, records and tagged values; a
 *     top-level scalar has depth 0, and the contents of a top-level list depth 1
 * @param maxCollectionLength the most elements in one list or record, or entries in one struct
 * @param maxStringBytes the longest String or Symbol, in UTF-8 bytes
 * @param maxByteArrayBytes the longest ByteArray
 * @param maxIntegerBits the largest Integer magnitude, in bits; bounds the CPU a peer can
 *     spend on decimal bignum parsing
 * @param maxItems the most items in one value, counting every scalar and collection at every
 *     depth (a traversal limit, as Cap'n Proto's): bounds the objects one frame can make us build
 * @param maxFrameMillis on framed netlayers, the longest a frame may take to arrive whole, from
 *     its first byte (the session ends after): bounds how long a peer can make us hold an
 *     unfinished frame, and the descriptors sent with it; reading paused by our own back-pressure
 *     does not count
 */
public record DecodeLimits(
    int maxValueBytes,
    int maxDepth,
    int maxCollectionLength,
    int maxStringBytes,
    int maxByteArrayBytes,
    int maxIntegerBits,
    int maxItems,
    int maxFrameMillis) {

  /** The defaults in {@code spec/limits.md}. */
  public static final DecodeLimits DEFAULT =
      new DecodeLimits(16 * 1024 * 1024, 128, 1_000_000, 1024 * 1024, 16 * 1024 * 1024, 4096, 2_000_000, 30_000);

  /** Limits with the default {@code maxFrameMillis}. */
  public DecodeLimits(int maxValueBytes, int maxDepth, int maxCollectionLength, int maxStringBytes,
      int maxByteArrayBytes, int maxIntegerBits, int maxItems) {
    this(maxValueBytes, maxDepth, maxCollectionLength, maxStringBytes, maxByteArrayBytes, maxIntegerBits, maxItems,
        30_000);
  }

  public DecodeLimits {
    positive("maxValueBytes", maxValueBytes);
    positive("maxDepth", maxDepth);
    positive("maxCollectionLength", maxCollectionLength);
    positive("maxStringBytes", maxStringBytes);
    positive("maxByteArrayBytes", maxByteArrayBytes);
    positive("maxIntegerBits", maxIntegerBits);
    positive("maxItems", maxItems);
    positive("maxFrameMillis", maxFrameMillis);
  }

  private static void positive(String name, int v) {
    if (v <= 0) throw new IllegalArgumentException(name + " must be positive, was " + v);
  }

  public DecodeLimits withMaxValueBytes(int v) {
    return new DecodeLimits(v, maxDepth, maxCollectionLength, maxStringBytes, maxByteArrayBytes, maxIntegerBits, maxItems, maxFrameMillis);
  }

  public DecodeLimits withMaxDepth(int v) {
    return new DecodeLimits(maxValueBytes, v, maxCollectionLength, maxStringBytes, maxByteArrayBytes, maxIntegerBits, maxItems, maxFrameMillis);
  }

  public DecodeLimits withMaxCollectionLength(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, v, maxStringBytes, maxByteArrayBytes, maxIntegerBits, maxItems, maxFrameMillis);
  }

  public DecodeLimits withMaxStringBytes(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, maxCollectionLength, v, maxByteArrayBytes, maxIntegerBits, maxItems, maxFrameMillis);
  }

  public DecodeLimits withMaxByteArrayBytes(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, maxCollectionLength, maxStringBytes, v, maxIntegerBits, maxItems, maxFrameMillis);
  }

  public DecodeLimits withMaxIntegerBits(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, maxCollectionLength, maxStringBytes, maxByteArrayBytes, v, maxItems, maxFrameMillis);
  }

  public DecodeLimits withMaxItems(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, maxCollectionLength, maxStringBytes, maxByteArrayBytes, maxIntegerBits, v, maxFrameMillis);
  }

  public DecodeLimits withMaxFrameMillis(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, maxCollectionLength, maxStringBytes, maxByteArrayBytes, maxIntegerBits, maxItems, v);
  }
}
