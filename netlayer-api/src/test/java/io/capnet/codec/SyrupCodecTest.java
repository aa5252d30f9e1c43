package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.RandomValues;
import io.capnet.value.Record;
import io.capnet.value.Reference;
import io.capnet.value.Symbol;
import io.capnet.value.Values;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyrupCodecTest {
  private final Codec syrup = Codec.syrup();

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 20261122})
  void randomValuesRoundTripAndEncodeCanonically(long seed) throws Exception {
    RandomValues gen = new RandomValues(seed, 6, true);
    for (int i = 0; i < 3000; i++) {
      Object v = gen.next();
      byte[] once = syrup.encode(v);
      Object back = syrup.decode(once);
      assertThat(Values.equal(back, v)).as("%s -> %s", Values.describe(v), Values.describe(back)).isTrue();
      assertThat(back).isEqualTo(v);
      assertThat(syrup.encode(back)).isEqualTo(once);
    }
  }

  @Test
  void structEncodingDoesNotDependOnMapOrder() {
    Map<String, Object> a = new java.util.LinkedHashMap<>();
    a.put("zeta", 1L);
    a.put("a", 2L);
    a.put("mid", 3L);
    Map<String, Object> b = new java.util.TreeMap<>(a);
    assertThat(syrup.encode(a)).isEqualTo(syrup.encode(b));
    assertThat(new String(syrup.encode(a), StandardCharsets.US_ASCII)).isEqualTo("{1\"a2+3\"mid3+4\"zeta1+}");
  }

  @Test
  void encoderAcceptsEveryJavaIntegerForm() {
    assertThat(syrup.encode(7)).isEqualTo(syrup.encode(7L));
    assertThat(syrup.encode((short) -7)).isEqualTo("7-".getBytes(StandardCharsets.US_ASCII));
    assertThat(syrup.encode((byte) 0)).isEqualTo("0+".getBytes(StandardCharsets.US_ASCII));
    assertThat(new String(syrup.encode(Long.MIN_VALUE), StandardCharsets.US_ASCII)).isEqualTo("9223372036854775808-");
    assertThat(syrup.encode(java.math.BigInteger.TEN)).isEqualTo(syrup.encode(10L));
  }

  @Test
  void encoderWritesEveryNanAsTheCanonicalNan() {
    double odd = Double.longBitsToDouble(0x7ff0000000000abcL);
    assertThat(syrup.encode(odd)).isEqualTo(new byte[] {'D', 0x7f, (byte) 0xf8, 0, 0, 0, 0, 0, 0});
  }

  @Test
  void encoderRefusesUnpairedSurrogates() {
    assertThatThrownBy(() -> syrup.encode("a\uD800b")).isInstanceOf(EncodeException.class).hasMessageContaining("surrogate");
    assertThatThrownBy(() -> syrup.encode(Map.of("\uDC00", 1L))).isInstanceOf(EncodeException.class);
  }

  @Test
  void encoderRefusesDescriptorsBecauseSyrupConnectionsCannotPassFds() {
    // Never closed: encoding must refuse it before touching the fd.
    Descriptor d = Descriptor.adopt(FileDescriptor.in);
    assertThatThrownBy(() -> syrup.encode(List.of(d))).isInstanceOf(EncodeException.class).hasMessageContaining("Descriptor");
  }

  @Test
  void encoderRefusesCyclicAndTooDeepValues() {
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    assertThatThrownBy(() -> syrup.encode(cyclic)).isInstanceOf(EncodeException.class).hasMessageContaining("maxDepth");
  }

  @Test
  void encoderRefusesValuesWithNoOcapnType() {
    assertThatThrownBy(() -> syrup.encode(new byte[] {1})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B");
    assertThatThrownBy(() -> syrup.encode(1.5f)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Float");
    assertThatThrownBy(() -> syrup.encode(List.of(new Object()))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void referencesAreWrittenAsWhatTheContextReturns() {
    Reference target = () -> Reference.Kind.TARGET;
    EncodeContext ctx = new EncodeContext() {
      @Override public Object reference(Reference ref) { return Record.of("desc:import-object", 17L); }
      @Override public int descriptor(Descriptor d) { throw new AssertionError(); }
    };
    assertThat(new String(syrup.encode(List.of(target), ctx), StandardCharsets.US_ASCII))
        .isEqualTo("[<18'desc:import-object17+>]");
    assertThatThrownBy(() -> syrup.encode(target)).isInstanceOf(EncodeException.class).hasMessageContaining("inside a session");
    EncodeContext leaky = new EncodeContext() {
      @Override public Object reference(Reference ref) { return List.of(ref); }
      @Override public int descriptor(Descriptor d) { throw new AssertionError(); }
    };
    assertThatThrownBy(() -> syrup.encode(target, leaky)).isInstanceOf(EncodeException.class);
  }

  @Test
  void decodeRespectsTheRegionItIsGiven() throws Exception {
    byte[] buf = "xx3\"abcyy".getBytes(StandardCharsets.US_ASCII);
    assertThat(syrup.decode(buf, 2, 5, DecodeContext.NONE)).isEqualTo("abc");
    assertThatThrownBy(() -> syrup.decode(buf, 2, 4, DecodeContext.NONE))
        .isInstanceOfSatisfying(DecodeException.class, e -> {
          assertThat(e.rule()).isEqualTo(DecodeException.Rule.TRUNCATED);
          assertThat(e.offset()).isZero();
        });
  }

  @Test
  void streamReaderReadsValuesSplitAcrossOneByteReads() throws Exception {
    byte[] stream = ("<10'op:deliver<11'desc:export5+>[8'make-car3\"red42+]3+f>"
        + "<8'op:abort4\"bye!>").getBytes(StandardCharsets.US_ASCII);
    try (ValueReader r = Codec.syrupReader(oneByteAtATime(stream), DecodeLimits.DEFAULT)) {
      assertThat(r.read()).isEqualTo(Record.of("op:deliver", Record.of("desc:export", 5L),
          List.of(new Symbol("make-car"), "red", 42L), 3L, false));
      assertThat(r.read()).isEqualTo(Record.of("op:abort", "bye!"));
      assertThat(r.read()).isNull();
    }
  }

  @Test
  void streamReaderReportsTruncationInsideAValueButNotBetweenValues() throws Exception {
    try (ValueReader r = Codec.syrupReader(new ByteArrayInputStream("1+ [2+".getBytes(StandardCharsets.US_ASCII)), DecodeLimits.DEFAULT)) {
      assertThat(r.read()).isEqualTo(1L);
      assertThatThrownBy(r::read).isInstanceOfSatisfying(DecodeException.class, e -> {
        assertThat(e.rule()).isEqualTo(DecodeException.Rule.TRUNCATED);
        assertThat(e.offset()).isEqualTo(6);
      });
      assertThatThrownBy(r::read).isInstanceOf(java.io.IOException.class).hasMessageContaining("unusable");
    }
  }

  @Test
  void streamReaderBoundsEachValueNotTheWholeStream() throws Exception {
    DecodeLimits small = DecodeLimits.DEFAULT.withMaxValueBytes(8);
    byte[] many = "[1+2+]".repeat(100).getBytes(StandardCharsets.US_ASCII);
    try (ValueReader r = Codec.syrupReader(new ByteArrayInputStream(many), small)) {
      for (int i = 0; i < 100; i++) assertThat(r.read()).isEqualTo(List.of(1L, 2L));
      assertThat(r.read()).isNull();
    }
    try (ValueReader r = Codec.syrupReader(new ByteArrayInputStream("1+ [1+2+3+4+]".getBytes(StandardCharsets.US_ASCII)), small)) {
      assertThat(r.read()).isEqualTo(1L);
      assertThatThrownBy(r::read).isInstanceOfSatisfying(DecodeException.class, e -> {
        assertThat(e.rule()).isEqualTo(DecodeException.Rule.VALUE_TOO_LARGE);
        assertThat(e.offset()).isEqualTo(3);
      });
    }
  }

  @Test
  void streamReaderDoesNotTrustDeclaredLengths() throws Exception {
    // Declares 1 MB (within the limits) and sends 3 bytes: must fail as truncated, after allocating
    // only what arrived.
    byte[] hostile = "1000000:abc".getBytes(StandardCharsets.US_ASCII);
    try (ValueReader r = Codec.syrupReader(new ByteArrayInputStream(hostile), DecodeLimits.DEFAULT)) {
      assertThatThrownBy(r::read).isInstanceOfSatisfying(DecodeException.class,
          e -> assertThat(e.rule()).isEqualTo(DecodeException.Rule.TRUNCATED));
    }
  }

  @Test
  void decodedBytesAreACopy() throws Exception {
    byte[] buf = "3:abc".getBytes(StandardCharsets.US_ASCII);
    Bytes b = (Bytes) syrup.decode(buf);
    buf[2] = 'z';
    assertThat(b).isEqualTo(Bytes.of("abc".getBytes(StandardCharsets.US_ASCII)));
  }

  static InputStream oneByteAtATime(byte[] data) {
    return new InputStream() {
      int pos;
      @Override public int read() { return pos < data.length ? data[pos++] & 0xff : -1; }
      @Override public int read(byte[] b, int off, int len) {
        if (len == 0) return 0;
        int c = read();
        if (c < 0) return -1;
        b[off] = (byte) c;
        return 1;
      }
    };
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) n += p.length;
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return Arrays.copyOf(out, o);
  }
}
