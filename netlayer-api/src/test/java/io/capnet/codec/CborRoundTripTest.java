package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.value.RandomValues;
import io.capnet.value.Values;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Seeded random values: decode(encode(v)) is v, and encoding is canonical (deterministic). */
class CborRoundTripTest {
  private static final int VALUES_PER_SEED = 4000;
  private final Codec cbor = Codec.cbor();

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 1_000_003, 20_261_122})
  void randomValuesRoundTripAndReencodeToTheSameBytes(long seed) throws DecodeException {
    RandomValues values = new RandomValues(seed, 5, true);
    for (int i = 0; i < VALUES_PER_SEED; i++) {
      Object v = values.next();
      byte[] bytes = cbor.encode(v);
      Object back = cbor.decode(bytes);
      String what = Values.describe(v) + " as " + HexFormat.of().formatHex(bytes);
      assertThat(Values.equal(back, v)).as(what).isTrue();
      assertThat(back).as(what).isEqualTo(v);
      assertThat(cbor.encode(back)).as(what).isEqualTo(bytes);
      assertThat(cbor.encode(v)).as("encoding twice: " + what).isEqualTo(bytes);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 8})
  void randomValuesDecodeFromTheMiddleOfALargerBuffer(long seed) throws DecodeException {
    RandomValues values = new RandomValues(seed, 4, true);
    for (int i = 0; i < 1000; i++) {
      Object v = values.next();
      byte[] bytes = cbor.encode(v);
      byte[] padded = new byte[bytes.length + 7];
      Arrays.fill(padded, (byte) 0xff);
      System.arraycopy(bytes, 0, padded, 3, bytes.length);
      assertThat(cbor.decode(padded, 3, bytes.length, DecodeContext.NONE)).isEqualTo(v);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12})
  void randomModelValuesWithoutRecordsRoundTrip(long seed) throws DecodeException {
    RandomValues values = new RandomValues(seed, 8, false);
    for (int i = 0; i < 2000; i++) {
      Object v = values.next();
      assertThat(cbor.decode(cbor.encode(v))).isEqualTo(v);
    }
  }
}
