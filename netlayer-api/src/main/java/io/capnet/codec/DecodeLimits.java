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
 */
public record DecodeLimits(
    int maxValueBytes,
    int maxDepth,
    int maxCollectionLength,
    int maxStringBytes,
    int maxByteArrayBytes,
    int maxIntegerBits,
    int maxItems) {

  /** The defaults in {@code spec/limits.md}. */
  public static final DecodeLimits DEFAULT =
      new DecodeLimits(16 * 1024 * 1024, 128, 1_000_000, 1024 * 1024, 16 * 1024 * 1024, 4096, 2_000_000);

  public DecodeLimits {
    positive("maxValueBytes", maxValueBytes);
    positive("maxDepth", maxDepth);
    positive("maxCollectionLength", maxCollectionLength);
    positive("maxStringBytes", maxStringBytes);
    positive("maxByteArrayBytes", maxByteArrayBytes);
    positive("maxIntegerBits", maxIntegerBits);
    positive("maxItems", maxItems);
  }

  private static void positive(String name, int v) {
    if (v <= 0) throw new IllegalArgumentException(name + " must be positive, was " + v);
  }

  public DecodeLimits withMaxValueBytes(int v) {
    return new DecodeLimits(v, maxDepth, maxCollectionLength, maxStringBytes, maxByteArrayBytes, maxIntegerBits, maxItems);
  }

  public DecodeLimits withMaxDepth(int v) {
    return new DecodeLimits(maxValueBytes, v, maxCollectionLength, maxStringBytes, maxByteArrayBytes, maxIntegerBits, maxItems);
  }

  public DecodeLimits withMaxCollectionLength(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, v, maxStringBytes, maxByteArrayBytes, maxIntegerBits, maxItems);
  }

  public DecodeLimits withMaxStringBytes(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, maxCollectionLength, v, maxByteArrayBytes, maxIntegerBits, maxItems);
  }

  public DecodeLimits withMaxByteArrayBytes(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, maxCollectionLength, maxStringBytes, v, maxIntegerBits, maxItems);
  }

  public DecodeLimits withMaxIntegerBits(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, maxCollectionLength, maxStringBytes, maxByteArrayBytes, v, maxItems);
  }

  public DecodeLimits withMaxItems(int v) {
    return new DecodeLimits(maxValueBytes, maxDepth, maxCollectionLength, maxStringBytes, maxByteArrayBytes, maxIntegerBits, v);
  }
}
