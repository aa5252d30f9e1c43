package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.capnet.value.Values;
import java.io.ByteArrayInputStream;

/**
 * Fuzz targets for the Syrup decoder. Under {@code mvn test} they replay the seeds in
 * {@code src/test/resources/io/capnet/codec/SyrupFuzzTestInputs/}; with {@code JAZZER_FUZZ=1}
 * they fuzz for real (see README, "Fuzzing").
 */
class SyrupFuzzTest {
  private static final DecodeLimits SMALL = DecodeLimits.DEFAULT.withMaxValueBytes(64 * 1024).withMaxDepth(32);

  @FuzzTest(maxDuration = "60s")
  void decodeEitherReturnsAValueOrThrowsDecodeException(byte[] input) {
    Codec syrup = Codec.syrup(SMALL);
    Object v;
    try {
      v = syrup.decode(input);
    } catch (DecodeException expected) {
      assertThat(expected.offset()).isBetween(0L, (long) input.length);
      return;
    }
    Object again;
    try {
      again = syrup.decode(syrup.encode(v));
    } catch (DecodeException e) {
      throw new AssertionError("re-encoding of " + Values.describe(v) + " does not decode", e);
    }
    assertThat(Values.equal(again, v)).isTrue();
  }

  @FuzzTest(maxDuration = "60s")
  void streamReaderAgreesWithBufferDecoder(byte[] input) throws Exception {
    Object fromBuffer;
    try {
      fromBuffer = Codec.syrup(SMALL).decode(input);
    } catch (DecodeException e) {
      fromBuffer = null;
    }
    try (ValueReader r = Codec.syrupReader(new ByteArrayInputStream(input), SMALL)) {
      Object first = r.read();
      if (fromBuffer != null) assertThat(first).isEqualTo(fromBuffer);
    } catch (DecodeException e) {
      assertThat(fromBuffer).as("stream failed with %s where the buffer decoder did not", e.getMessage()).isNull();
    }
  }
}
