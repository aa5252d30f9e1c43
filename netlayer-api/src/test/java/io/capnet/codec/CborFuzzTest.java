package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.capnet.value.Values;

/**
 * Fuzz target for the CBOR decoder. Under {@code mvn test} it replays the seeds in {@code
 * src/test/resources/io/capnet/codec/CborFuzzTestInputs/<method>/}; with {@code JAZZER_FUZZ=1}
 * it fuzzes for real, e.g. {@code JAZZER_FUZZ=1 mvn -pl netlayer-api test
 * -Dtest='CborFuzzTest#decodeEitherReturnsAValueOrThrowsDecodeException'}.
 */
class CborFuzzTest {
  private static final DecodeLimits SMALL =
      DecodeLimits.DEFAULT.withMaxValueBytes(64 * 1024).withMaxDepth(32);
  private static final Codec CBOR = Codec.cbor(SMALL);

  @FuzzTest(maxDuration = "60s")
  void decodeEitherReturnsAValueOrThrowsDecodeException(byte[] input) {
    Object v;
    try {
      v = CBOR.decode(input, 0, input.length, CborVectorSlots.DECODE);
    } catch (DecodeException expected) {
      assertThat(expected.offset()).isBetween(0L, (long) input.length);
      return;
    }
    byte[] again = CBOR.encode(v, CborVectorSlots.ENCODE);
    Object back;
    try {
      back = CBOR.decode(again, 0, again.length, CborVectorSlots.DECODE);
    } catch (DecodeException e) {
      throw new AssertionError("the re-encoding of " + Values.describe(v) + " does not decode", e);
    }
    assertThat(Values.equal(back, v)).as(Values.describe(v)).isTrue();
    assertThat(back).isEqualTo(v);
    assertThat(CBOR.encode(back, CborVectorSlots.ENCODE)).isEqualTo(again);
  }
}
