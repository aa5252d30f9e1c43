/**
 * The two wire codecs for OCapN values: Syrup ({@link io.capnet.codec.Codec#syrup()}),
 * OCapN's interchange format, and CBOR ({@link io.capnet.codec.Codec#cbor()}), the codec of
 * Capnet's own netlayers. Both decoders are bounded by {@link io.capnet.codec.DecodeLimits}
 * and report every violation as a {@link io.capnet.codec.DecodeException} naming the rule and
 * the byte offset. The wire forms are specified in {@code spec/syrup.md} and {@code spec/cbor.md}.
 */
package io.capnet.codec;
