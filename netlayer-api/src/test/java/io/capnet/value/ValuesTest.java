package io.capnet.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesTest {
  @Test
  void nanEqualsNanWhateverItsPayload() {
    double quiet = Double.NaN;
    double signalling = Double.longBitsToDouble(0x7ff0000000000001L);
    assertThat(Values.equal(quiet, signalling)).isTrue();
    assertThat(Double.valueOf(quiet).equals(signalling)).isTrue();
  }

  @Test
  void negativeZeroDiffersFromZero() {
    assertThat(Values.equal(-0.0, 0.0)).isFalse();
    assertThat(Double.valueOf(-0.0).equals(0.0)).isFalse();
  }

  @Test
  void byteArraysCompareByContent() {
    assertThat(Bytes.of(new byte[] {1, 2})).isEqualTo(Bytes.of(new byte[] {1, 2}));
    assertThat(Bytes.of(new byte[] {1, 2}).hashCode()).isEqualTo(Bytes.fromHex("0102").hashCode());
    assertThat(Values.equal(Bytes.fromHex("01"), Bytes.fromHex("02"))).isFalse();
  }

  @Test
  void bytesAreImmutableCopies() {
    byte[] raw = {1, 2, 3};
    Bytes b = Bytes.of(raw);
    raw[0] = 9;
    b.toByteArray()[1] = 9;
    assertThat(b.hex()).isEqualTo("010203");
  }

  @Test
  void integersCompareArithmeticallyAcrossJavaForms() {
    assertThat(Values.equal(7, 7L)).isTrue();
    assertThat(Values.equal((short) 7, BigInteger.valueOf(7))).isTrue();
    assertThat(Values.equal(7L, 8L)).isFalse();
    assertThat(Values.integer(BigInteger.valueOf(Long.MAX_VALUE))).isInstanceOf(Long.class);
    assertThat(Values.integer(BigInteger.ONE.shiftLeft(63))).isInstanceOf(BigInteger.class);
  }

  @Test
  void differentTypesAreNeverEqual() {
    assertThat(Values.equal("a", new Symbol("a"))).isFalse();
    assertThat(Values.equal(1L, 1.0)).isFalse();
    assertThat(Values.equal(Null.NULL, Undefined.UNDEFINED)).isFalse();
    assertThat(Values.equal(List.of(), Map.of())).isFalse();
  }

  @Test
  void containersCompareDeeplyAndStructsIgnoreOrder() {
    Map<String, Object> a = new java.util.LinkedHashMap<>();
    a.put("x", List.of(1, Bytes.fromHex("00")));
    a.put("y", new Tagged("t", -0.0));
    Map<String, Object> b = new java.util.LinkedHashMap<>();
    b.put("y", new Tagged("t", -0.0));
    b.put("x", List.of(1L, Bytes.fromHex("00")));
    assertThat(Values.equal(a, b)).isTrue();
    b.put("y", new Tagged("t", 0.0));
    assertThat(Values.equal(a, b)).isFalse();
  }

  @Test
  void recordsCompareByLabelAndFields() {
    assertThat(Values.equal(Record.of("desc:export", 5), Record.of("desc:export", 5L))).isTrue();
    assertThat(Values.equal(Record.of("desc:export", 5), Record.of("desc:answer", 5))).isFalse();
  }

  @Test
  void typeOfRefusesJavaTypesWithNoOcapnMeaning() {
    assertThatThrownBy(() -> Values.typeOf(null)).hasMessageContaining("Null.NULL");
    assertThatThrownBy(() -> Values.typeOf(new byte[0])).hasMessageContaining("Bytes");
    assertThatThrownBy(() -> Values.typeOf(1.0f)).hasMessageContaining("Double");
    assertThat(Values.typeOf(Map.of())).isEqualTo(ValueType.STRUCT);
    assertThat(Values.typeOf((Reference) () -> Reference.Kind.PROMISE)).isEqualTo(ValueType.PROMISE);
  }

  @Test
  void stringsWithUnpairedSurrogatesAreNotValues() {
    assertThat(Values.isWellFormed("a\uD83D\uDE00b")).isTrue();
    assertThat(Values.isWellFormed("a\uD83D")).isFalse();
    assertThat(Values.isWellFormed("\uDE00")).isFalse();
    assertThatThrownBy(() -> new Symbol("\uD800")).hasMessageContaining("surrogate");
  }

  @Test
  void describeWritesTheAbstractNotationAndStaysShort() {
    Object v = Record.of("op:deliver", Record.of("desc:export", 5L), List.of(new Symbol("go"), "x"), false);
    assertThat(Values.describe(v)).isEqualTo("<op:deliver <desc:export 5> ['go \"x\"] f>");
    List<Object> big = java.util.Collections.nCopies(100_000, (Object) "abc");
    assertThat(Values.describe(big, 100)).hasSizeLessThanOrEqualTo(110).endsWith("...");
  }

  @Test
  void descriptorClosesItsFdOnce() throws Exception {
    try (java.io.FileInputStream in = new java.io.FileInputStream("/dev/null")) {
      java.io.FileDescriptor fd = in.getFD();
      Descriptor d = Descriptor.adopt(fd);
      assertThat(d.isOpen()).isTrue();
      d.close();
      d.close();
      assertThat(d.isOpen()).isFalse();
      assertThat(fd.valid()).isFalse();
      assertThatThrownBy(d::fileDescriptor).isInstanceOf(IllegalStateException.class);
    }
  }
}
