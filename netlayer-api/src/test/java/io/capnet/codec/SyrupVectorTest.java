package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.value.Values;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SyrupVectorTest {
  static Stream<Vectors.Vector> valid() {
    return Vectors.load("syrup.json").stream().filter(Vectors.Vector::valid);
  }

  static Stream<Vectors.Vector> invalid() {
    return Vectors.load("syrup.json").stream().filter(v -> !v.valid());
  }

  static Stream<Vectors.Vector> canonical() {
    return valid().filter(Vectors.Vector::canonical);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void decodesEveryValidVector(Vectors.Vector v) throws Exception {
    Object decoded = Codec.syrup(v.limits()).decode(v.bytes());
    assertThat(Values.equal(decoded, v.value()))
        .as("decoded %s, expected %s", Values.describe(decoded), Values.describe(v.value()))
        .isTrue();
    assertThat(decoded).isEqualTo(v.value());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("canonical")
  void encodesCanonicalVectorsExactly(Vectors.Vector v) {
    assertThat(HexFormat.of().formatHex(Codec.syrup().encode(v.value())))
        .isEqualTo(HexFormat.of().formatHex(v.bytes()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsEveryInvalidVectorWithItsRuleAndOffset(Vectors.Vector v) {
    assertThatThrownBy(() -> Codec.syrup(v.limits()).decode(v.bytes()))
        .isInstanceOfSatisfying(DecodeException.class, e -> {
          assertThat(e.rule()).as(e.getMessage()).isEqualTo(v.error());
          assertThat(e.offset()).as(e.getMessage()).isEqualTo(v.offset());
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void streamReaderDecodesEveryValidVectorBackToBack(Vectors.Vector v) throws Exception {
    byte[] twice = new byte[v.bytes().length * 2 + 1];
    System.arraycopy(v.bytes(), 0, twice, 0, v.bytes().length);
    twice[v.bytes().length] = ' ';
    System.arraycopy(v.bytes(), 0, twice, v.bytes().length + 1, v.bytes().length);
    try (ValueReader r = Codec.syrupReader(new java.io.ByteArrayInputStream(twice), v.limits())) {
      assertThat(r.read()).isEqualTo(v.value());
      assertThat(r.read()).isEqualTo(v.value());
      assertThat(r.read()).isNull();
      assertThat(r.position()).isEqualTo(twice.length);
    }
  }

  @org.junit.jupiter.api.Test
  void vectorFileCoversEveryModelType() {
    List<Vectors.Vector> all = Vectors.load("syrup.json");
    java.util.Set<io.capnet.value.ValueType> types = java.util.EnumSet.noneOf(io.capnet.value.ValueType.class);
    for (Vectors.Vector v : all) if (v.valid()) types.add(Values.typeOf(v.value()));
    // References and descriptors never appear in Syrup data: the session writes desc: records.
    assertThat(types).containsAll(java.util.EnumSet.complementOf(java.util.EnumSet.of(
        io.capnet.value.ValueType.TARGET, io.capnet.value.ValueType.PROMISE, io.capnet.value.ValueType.DESCRIPTOR)));
  }
}
