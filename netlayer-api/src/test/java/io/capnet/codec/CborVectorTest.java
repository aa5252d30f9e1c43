package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capnet.codec.Vectors.Vector;
import io.capnet.value.Values;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every vector in {@code spec/vectors/cbor.json}, both ways. */
class CborVectorTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final List<Vector> VECTORS = CborVectorSlots.load();

  static Stream<Vector> valid() {
    return VECTORS.stream().filter(Vector::valid);
  }

  static Stream<Vector> canonical() {
    return valid().filter(Vector::canonical);
  }

  static Stream<Vector> nonCanonical() {
    return valid().filter(v -> !v.canonical());
  }

  static Stream<Vector> invalid() {
    return VECTORS.stream().filter(v -> !v.valid());
  }

  private static Object decode(Vector v) throws DecodeException {
    return Codec.cbor(v.limits()).decode(v.bytes(), 0, v.bytes().length, CborVectorSlots.DECODE);
  }

  @Test
  void theVectorFileCoversEveryKind() {
    assertThat(canonical().count()).isGreaterThan(50);
    assertThat(nonCanonical().count()).isGreaterThan(30);
    assertThat(invalid().count()).isGreaterThan(80);
    assertThat(invalid().map(Vector::error).distinct())
        .contains(
            DecodeException.Rule.TRUNCATED,
            DecodeException.Rule.TRAILING_BYTES,
            DecodeException.Rule.VALUE_TOO_LARGE,
            DecodeException.Rule.DEPTH_EXCEEDED,
            DecodeException.Rule.COLLECTION_TOO_LONG,
            DecodeException.Rule.STRING_TOO_LONG,
            DecodeException.Rule.BYTES_TOO_LONG,
            DecodeException.Rule.INVALID_UTF8,
            DecodeException.Rule.DUPLICATE_KEY,
            DecodeException.Rule.INVALID_KEY,
            DecodeException.Rule.UNKNOWN_TAG,
            DecodeException.Rule.UNEXPECTED_BYTE,
            DecodeException.Rule.MALFORMED_VALUE,
            DecodeException.Rule.UNSUPPORTED_TYPE,
            DecodeException.Rule.DESCRIPTOR_SLOT);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void validVectorDecodesToItsValue(Vector v) throws DecodeException {
    Object decoded = decode(v);
    assertThat(Values.equal(decoded, v.value()))
        .as("%s decoded to %s", v.name(), Values.describe(decoded))
        .isTrue();
    assertThat(decoded).isEqualTo(v.value());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("canonical")
  void canonicalVectorIsWhatTheEncoderWrites(Vector v) {
    byte[] encoded = Codec.cbor().encode(v.value(), CborVectorSlots.ENCODE);
    assertThat(HEX.formatHex(encoded)).isEqualTo(HEX.formatHex(v.bytes()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nonCanonical")
  void nonCanonicalVectorIsReencodedCanonically(Vector v) throws DecodeException {
    // The expected bytes are the vector file's canonical_hex, written by gen-cbor.py's own
    // encoder, not by the Java encoder under test.
    assertThat(v.canonicalBytes()).as("%s has a canonical_hex", v.name()).isNotNull();
    byte[] again = Codec.cbor().encode(decode(v), CborVectorSlots.ENCODE);
    assertThat(HEX.formatHex(again)).isEqualTo(HEX.formatHex(v.canonicalBytes()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidVectorIsRejectedWithItsRuleAndOffset(Vector v) {
    DecodeException e = catchThrowableOfType(DecodeException.class, () -> decode(v));
    assertThat(e).as("%s must be rejected", v.name()).isNotNull();
    assertThat(e.rule()).as("%s: %s", v.name(), e.getMessage()).isEqualTo(v.error());
    assertThat(e.offset()).as("%s: %s", v.name(), e.getMessage()).isEqualTo(v.offset());
  }
}
