package io.capnet.locator;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.codec.Codec;
import io.capnet.locator.LocatorVectorFile.Vector;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Syrup bytes of each vector's record form. The hex in the vector file was computed by
 * {@code spec/vectors/gen-locators.py}, independently of Capnet's encoder.
 */
class LocatorSyrupVectorTest {
  static List<Vector> valid() {
    return LocatorVectorFile.valid();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void syrupEncodingOfTheRecordMatchesTheVector(Vector v) {
    Locator l = Locator.parse(v.uri());
    assertThat(HexFormat.of().formatHex(Codec.syrup().encode(l.toRecord())))
        .isEqualTo(HexFormat.of().formatHex(v.syrup()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void syrupBytesDecodeToTheSameLocator(Vector v) throws Exception {
    Locator l = Locator.parse(v.uri());
    Locator decoded = Locator.fromRecord(Codec.syrup().decode(v.syrup()));
    assertThat(decoded).isEqualTo(l);
    assertThat(decoded.peer().equalsWithHints(l.peer())).isTrue();
    assertThat(decoded.getClass()).isEqualTo(l.getClass());
  }
}
