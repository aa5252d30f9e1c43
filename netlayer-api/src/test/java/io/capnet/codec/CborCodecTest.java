package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capnet.codec.DecodeException.Rule;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import io.capnet.value.RandomValues;
import io.capnet.value.Record;
import io.capnet.value.Reference;
import io.capnet.value.Symbol;
import io.capnet.value.Tagged;
import io.capnet.value.Undefined;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The CBOR codec's API behaviour beyond the vectors: Java forms, contexts, regions, threads. */
class CborCodecTest {
  private static final HexFormat HEX = HexFormat.of();
  private final Codec cbor = Codec.cbor();

  private static final Reference TARGET = () -> Reference.Kind.TARGET;

  private static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  private static byte[] bytes(String hex) {
    return HEX.parseHex(hex);
  }

  private static EncodeContext references(java.util.function.Function<Reference, Object> f) {
    return new EncodeContext() {
      @Override
      public Object reference(Reference ref) {
        return f.apply(ref);
      }

      @Override
      public int descriptor(Descriptor descriptor) {
        throw new EncodeException("no descriptors here");
      }
    };
  }

  @Test
  void codecIsNamedCborAndKeepsItsLimits() {
    DecodeLimits limits = DecodeLimits.DEFAULT.withMaxDepth(7);
    assertThat(cbor.name()).isEqualTo("cbor");
    assertThat(cbor.limits()).isEqualTo(DecodeLimits.DEFAULT);
    assertThat(Codec.cbor(limits).limits()).isEqualTo(limits);
    assertThat(Codec.cbor()).isSameAs(Codec.cbor());
  }

  @Test
  void encoderTakesEveryJavaIntegerFormAndDecoderReturnsTheNormalForm() throws DecodeException {
    for (Object five : new Object[] {5, (short) 5, (byte) 5, 5L, BigInteger.valueOf(5)}) {
      assertThat(hex(cbor.encode(five))).as(five.getClass().getName()).isEqualTo("05");
    }
    assertThat(hex(cbor.encode(BigInteger.valueOf(-1000)))).isEqualTo("3903e7");
    assertThat(cbor.decode(bytes("1b7fffffffffffffff"))).isEqualTo(Long.MAX_VALUE);
    assertThat(cbor.decode(bytes("1b8000000000000000"))).isEqualTo(BigInteger.ONE.shiftLeft(63));
    assertThat(cbor.decode(bytes("3b7fffffffffffffff"))).isEqualTo(Long.MIN_VALUE);
    assertThat(cbor.decode(bytes("c24105"))).isEqualTo(5L); // a small bignum is a Long
  }

  @Test
  void encoderWritesEveryNanAsTheCanonicalNan() {
    for (long bits : new long[] {0x7ff0000000000001L, 0xfff8000000000000L, 0x7fffffffffffffffL}) {
      assertThat(hex(cbor.encode(Double.longBitsToDouble(bits)))).isEqualTo("fb7ff8000000000000");
    }
  }

  @Test
  void encoderRefusesStructKeysThatAreNotStrings() {
    Map<Object, Object> symbolKey = new LinkedHashMap<>();
    symbolKey.put(new Symbol("a"), 1L);
    Map<Object, Object> intKey = Map.of(1L, 2L);
    for (Map<?, ?> m : List.of(symbolKey, intKey)) {
      assertThatThrownBy(() -> cbor.encode(m))
          .isInstanceOf(EncodeException.class)
          .hasMessageContaining("struct keys must be Strings");
    }
  }

  @Test
  void encoderRefusesUnpairedSurrogatesInStringsAndKeys() {
    assertThatThrownBy(() -> cbor.encode("a\ud800b")).isInstanceOf(EncodeException.class);
    assertThatThrownBy(() -> cbor.encode("\udc00")).isInstanceOf(EncodeException.class);
    assertThatThrownBy(() -> cbor.encode(Map.of("k\ud800", 1L))).isInstanceOf(EncodeException.class);
    assertThat(hex(cbor.encode("\ud83d\ude00"))).isEqualTo("64f09f9880");
  }

  @Test
  void encoderRefusesJavaObjectsWithoutAnOcapnType() {
    for (Object o : new Object[] {1.5f, new byte[] {1}, 'c', new Object(), Arrays.asList(1L, null)}) {
      assertThatThrownBy(() -> cbor.encode(o)).as(String.valueOf(o)).isInstanceOf(EncodeException.class);
    }
    assertThatThrownBy(() -> cbor.encode(null)).isInstanceOf(EncodeException.class);
  }

  @Test
  void encoderRefusesValuesNestedDeeperThanTheDepthLimitAndCycles() {
    Object deep = 1L;
    for (int i = 0; i < 5; i++) deep = List.of(deep);
    Codec shallow = Codec.cbor(DecodeLimits.DEFAULT.withMaxDepth(4));
    assertThatThrownBy(() -> shallow.encode(List.of(List.of(List.of(List.of(List.of())))))).isInstanceOf(EncodeException.class);
    assertThat(shallow.encode(List.of(List.of(List.of(List.of()))))).isNotEmpty();
    List<Object> cycle = new ArrayList<>();
    cycle.add(cycle);
    assertThatThrownBy(() -> cbor.encode(cycle)).isInstanceOf(EncodeException.class);
  }

  @Test
  void encoderWritesAReferenceAsTheWireValueItsContextGives() {
    Object wire = Record.of("desc:export", 5L);
    byte[] bytes = cbor.encode(List.of(TARGET, "x"), references(ref -> wire));
    assertThat(hex(bytes)).isEqualTo(hex(cbor.encode(List.of(wire, "x"))));
  }

  @Test
  void encoderRefusesAReferenceWhoseWireValueHoldsAReference() {
    EncodeContext bad = references(ref -> Record.of("desc:export", TARGET));
    assertThatThrownBy(() -> cbor.encode(TARGET, bad))
        .isInstanceOf(EncodeException.class)
        .hasMessageContaining("itself contains a live reference");
  }

  @Test
  void plainEncodeRefusesReferencesAndDescriptors() throws Exception {
    assertThatThrownBy(() -> cbor.encode(TARGET)).isInstanceOf(EncodeException.class);
    try (var in = new java.io.FileInputStream("/dev/null")) {
      Descriptor d = Descriptor.adopt(in.getFD());
      assertThatThrownBy(() -> cbor.encode(List.of(d))).isInstanceOf(EncodeException.class);
    }
  }

  @Test
  void descriptorsTravelAsTheirSlotNumber() throws DecodeException {
    Descriptor d = CborVectorSlots.slot(2);
    byte[] bytes = cbor.encode(Record.of("fd", d), CborVectorSlots.ENCODE);
    assertThat(hex(bytes)).isEqualTo("d81b82d90118626664d9ca0302");
    Object back = cbor.decode(bytes, 0, bytes.length, CborVectorSlots.DECODE);
    assertThat(((Record) back).field(0)).isSameAs(d);
  }

  @Test
  void decodeWithoutDescriptorContextRefusesADescriptor() {
    DecodeException e = catchThrowableOfType(DecodeException.class, () -> cbor.decode(bytes("81d9ca0300")));
    assertThat(e.rule()).isEqualTo(Rule.DESCRIPTOR_SLOT);
    assertThat(e.offset()).isEqualTo(1);
  }

  @Test
  void decodeContextExceptionsOtherThanDecodeExceptionPropagateUnchanged() {
    IllegalStateException boom = new IllegalStateException("boom");
    DecodeContext failing = (slot, offset) -> {
      throw boom;
    };
    byte[] in = bytes("d9ca0300");
    assertThatThrownBy(() -> cbor.decode(in, 0, in.length, failing)).isSameAs(boom);
  }

  @Test
  void decodeReadsOnlyItsRegionAndCountsOffsetsFromIt() {
    byte[] data = bytes("ffff" + "8201" + "f6f6" + "ffff");
    DecodeException truncated = catchThrowableOfType(DecodeException.class, () -> cbor.decode(data, 2, 2, DecodeContext.NONE));
    assertThat(truncated.rule()).isEqualTo(Rule.TRUNCATED);
    assertThat(truncated.offset()).isEqualTo(0);
    DecodeException trailing = catchThrowableOfType(DecodeException.class, () -> cbor.decode(data, 2, 4, DecodeContext.NONE));
    assertThat(trailing.rule()).isEqualTo(Rule.TRAILING_BYTES);
    assertThat(trailing.offset()).isEqualTo(3);
    assertThatThrownBy(() -> cbor.decode(data, 5, 4, DecodeContext.NONE)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void decodedContainersAreUnmodifiableAndStructsKeepWireOrder() throws DecodeException {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) cbor.decode(bytes("a3616201616303616102"));
    assertThat(m.keySet()).containsExactly("b", "c", "a");
    assertThatThrownBy(() -> m.put("d", 1L)).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> l = (List<Object>) cbor.decode(bytes("8b0102030405060708090a0b"));
    assertThat(l).hasSize(11);
    assertThatThrownBy(() -> l.add(1L)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void decoderWorksAgainAfterRejectingInput() throws DecodeException {
    byte[] good = cbor.encode(Record.of("op:deliver", List.of(1L, "two"), new Tagged("t", Null.NULL)));
    for (String bad : new String[] {"820161", "a2616101616102", "d9d9f7f6", "ff", "9f9f9f"}) {
      assertThatThrownBy(() -> cbor.decode(bytes(bad))).isInstanceOf(DecodeException.class);
      assertThat(cbor.decode(good)).isEqualTo(cbor.decode(good));
      assertThat(cbor.encode(cbor.decode(good))).isEqualTo(good);
    }
  }

  @Test
  void largeFramesAndLongSymbolsDecodeCorrectly() throws DecodeException {
    String big = "x".repeat(200_000);
    Object v = List.of(big, new Symbol(big), Bytes.of(new byte[100_000]), new Symbol("s".repeat(49)));
    assertThat(cbor.decode(cbor.encode(v))).isEqualTo(v);
    assertThat(cbor.decode(cbor.encode(List.of(new Symbol("op:deliver"))))).isEqualTo(List.of(new Symbol("op:deliver")));
  }

  @Test
  void decoderIsReentrantFromItsDescriptorCallback() throws DecodeException {
    Descriptor d = CborVectorSlots.slot(0);
    DecodeContext nested = (slot, offset) -> {
      try {
        assertThat(cbor.decode(bytes("83010203"))).isEqualTo(List.of(1L, 2L, 3L));
      } catch (DecodeException e) {
        throw new AssertionError(e);
      }
      return d;
    };
    byte[] in = bytes("82d9ca0300f5");
    assertThat(cbor.decode(in, 0, in.length, nested)).isEqualTo(List.of(d, true));
  }

  @Test
  void encoderIsReentrantFromItsReferenceCallback() {
    EncodeContext nested = references(ref -> {
      assertThat(hex(cbor.encode(List.of(1L)))).isEqualTo("8101");
      return Record.of("desc:export", 1L);
    });
    assertThat(hex(cbor.encode(List.of(TARGET, Undefined.UNDEFINED), nested)))
        .isEqualTo(hex(cbor.encode(List.of(Record.of("desc:export", 1L), Undefined.UNDEFINED))));
  }

  @Test
  void oneCodecServesManyThreadsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        long seed = 100 + t;
        results.add(pool.submit(() -> {
          RandomValues values = new RandomValues(seed, 4, true);
          for (int i = 0; i < 1500; i++) {
            Object v = values.next();
            byte[] b = cbor.encode(v);
            if (!cbor.decode(b).equals(v)) throw new AssertionError("mismatch for seed " + seed);
          }
          return 1500;
        }));
      }
      for (Future<Integer> f : results) assertThat(f.get()).isEqualTo(1500);
    } finally {
      pool.shutdownNow();
    }
  }
}
