package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;

import co.nstant.in.cbor.CborDecoder;
import co.nstant.in.cbor.CborEncoder;
import co.nstant.in.cbor.CborException;
import co.nstant.in.cbor.model.AbstractFloat;
import co.nstant.in.cbor.model.Array;
import co.nstant.in.cbor.model.ByteString;
import co.nstant.in.cbor.model.DataItem;
import co.nstant.in.cbor.model.DoublePrecisionFloat;
import co.nstant.in.cbor.model.MajorType;
import co.nstant.in.cbor.model.NegativeInteger;
import co.nstant.in.cbor.model.SimpleValue;
import co.nstant.in.cbor.model.SimpleValueType;
import co.nstant.in.cbor.model.Special;
import co.nstant.in.cbor.model.UnicodeString;
import co.nstant.in.cbor.model.UnsignedInteger;
import io.capnet.codec.Vectors.Vector;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import io.capnet.value.OcapnError;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import io.capnet.value.Tagged;
import io.capnet.value.Undefined;
import io.capnet.value.Values;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cbor-java ({@code co.nstant.in:cbor}) as an independent oracle: the bytes of every valid
 * vector must decode there to the data items the profile prescribes for the vector's value
 * (tags, major types, values). Only the vectors' trusted bytes ever reach cbor-java: it throws
 * OutOfMemoryError on hostile lengths such as {@code 5a7fffffff}.
 */
class CborOracleTest {
  static Stream<Vector> valid() {
    return CborVectorSlots.load().stream().filter(Vector::valid);
  }

  private static DataItem oracleDecode(byte[] bytes) throws CborException {
    CborDecoder decoder = new CborDecoder(new ByteArrayInputStream(bytes));
    decoder.setAutoDecodeInfinitiveArrays(true);
    decoder.setAutoDecodeInfinitiveMaps(true);
    decoder.setAutoDecodeInfinitiveByteStrings(true);
    decoder.setAutoDecodeInfinitiveUnicodeStrings(true);
    decoder.setAutoDecodeRationalNumbers(false);
    decoder.setAutoDecodeLanguageTaggedStrings(false);
    List<DataItem> items = decoder.decode();
    assertThat(items).as("top-level items").hasSize(1);
    return items.get(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void validVectorBytesAreTheExpectedDataItemsForCborJava(Vector v) throws CborException {
    match(v.value(), oracleDecode(v.bytes()), "$");
  }

  @Test
  void opDeliverEncodesToTheSameBytesAsCborJava() throws CborException {
    Object message =
        Record.of(
            "op:deliver",
            Record.of("desc:export", 5L),
            List.of(new Symbol("make-car"), "red", 42L),
            3L,
            Record.of("desc:import-object", 17L));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new CborEncoder(out)
        .encode(
            record(
                symbol("op:deliver"),
                record(symbol("desc:export"), new UnsignedInteger(5)),
                list(symbol("make-car"), new UnicodeString("red"), new UnsignedInteger(42)),
                new UnsignedInteger(3),
                record(symbol("desc:import-object"), new UnsignedInteger(17))));
    assertThat(Codec.cbor().encode(message)).isEqualTo(out.toByteArray());
    match(message, oracleDecode(out.toByteArray()), "$");
  }

  private static DataItem symbol(String name) {
    UnicodeString s = new UnicodeString(name);
    s.setTag(280);
    return s;
  }

  private static Array list(DataItem... items) {
    Array a = new Array();
    for (DataItem i : items) a.add(i);
    return a;
  }

  private static DataItem record(DataItem... items) {
    Array a = list(items);
    a.setTag(27);
    return a;
  }

  // ---------------------------------------------------------------------------------------

  /** Asserts that {@code item} is the profile's data item for {@code expected}. */
  private static void match(Object expected, DataItem item, String path) {
    String at = path + " (" + Values.describe(expected) + " vs " + item + ")";
    if (expected instanceof Undefined) {
      simple(item, SimpleValueType.UNDEFINED, at);
    } else if (expected instanceof Null) {
      simple(item, SimpleValueType.NULL, at);
    } else if (expected instanceof Boolean b) {
      simple(item, b ? SimpleValueType.TRUE : SimpleValueType.FALSE, at);
    } else if (expected instanceof Long || expected instanceof BigInteger) {
      assertThat(integer(item, at)).as(at).isEqualTo(Values.toBigInteger(expected));
    } else if (expected instanceof Double d) {
      untagged(item, at);
      double got;
      if (item instanceof DoublePrecisionFloat f) got = f.getValue();
      else if (item instanceof AbstractFloat f) got = f.getValue(); // half and single widen exactly
      else throw new AssertionError("not a float: " + at);
      assertThat(Double.valueOf(got)).as(at).isEqualTo(d); // Double.equals: every NaN, -0.0 apart
    } else if (expected instanceof String s) {
      untagged(item, at);
      assertThat(item).as(at).isInstanceOf(UnicodeString.class);
      assertThat(((UnicodeString) item).getString()).as(at).isEqualTo(s);
    } else if (expected instanceof Bytes b) {
      untagged(item, at);
      assertThat(item).as(at).isInstanceOf(ByteString.class);
      assertThat(((ByteString) item).getBytes()).as(at).isEqualTo(b.toByteArray());
    } else if (expected instanceof Symbol s) {
      tagged(item, 280, at);
      assertThat(item).as(at).isInstanceOf(UnicodeString.class);
      assertThat(((UnicodeString) item).getString()).as(at).isEqualTo(s.name());
    } else if (expected instanceof List<?> l) {
      untagged(item, at);
      List<DataItem> items = items(item, at);
      assertThat(items).as(at).hasSize(l.size());
      for (int i = 0; i < l.size(); i++) match(l.get(i), items.get(i), path + "[" + i + "]");
    } else if (expected instanceof Map<?, ?> m) {
      untagged(item, at);
      assertThat(item).as(at).isInstanceOf(co.nstant.in.cbor.model.Map.class);
      co.nstant.in.cbor.model.Map map = (co.nstant.in.cbor.model.Map) item;
      assertThat(map.getKeys()).as(at).hasSize(m.size());
      for (DataItem key : map.getKeys()) {
        untagged(key, at + " key");
        assertThat(key).as(at + " key").isInstanceOf(UnicodeString.class);
      }
      for (Map.Entry<?, ?> e : m.entrySet()) {
        DataItem value = map.get(new UnicodeString((String) e.getKey()));
        assertThat(value).as(at + " key " + e.getKey()).isNotNull();
        match(e.getValue(), value, path + "." + e.getKey());
      }
    } else if (expected instanceof Tagged t) {
      tagged(item, 51713, at);
      List<DataItem> items = items(item, at);
      assertThat(items).as(at).hasSize(2);
      match(t.tag(), items.get(0), path + ".tag");
      match(t.value(), items.get(1), path + ".value");
    } else if (expected instanceof OcapnError e) {
      tagged(item, 51714, at);
      List<DataItem> items = items(item, at);
      assertThat(items).as(at).hasSize(1);
      match(e.message(), items.get(0), path + ".message");
    } else if (expected instanceof Record r) {
      tagged(item, 27, at);
      List<DataItem> items = items(item, at);
      assertThat(items).as(at).hasSize(1 + r.size());
      match(r.label(), items.get(0), path + ".label");
      for (int i = 0; i < r.size(); i++) match(r.field(i), items.get(i + 1), path + "." + i);
    } else if (expected instanceof Descriptor d) {
      tagged(item, 51715, at);
      assertThat(item).as(at).isInstanceOf(UnsignedInteger.class);
      assertThat(((UnsignedInteger) item).getValue())
          .as(at)
          .isEqualTo(BigInteger.valueOf(CborVectorSlots.slotOf(d)));
    } else {
      throw new AssertionError("unexpected vector value " + expected);
    }
  }

  private static void simple(DataItem item, SimpleValueType type, String at) {
    untagged(item, at);
    assertThat(item).as(at).isInstanceOf(SimpleValue.class);
    assertThat(((SimpleValue) item).getSimpleValueType()).as(at).isEqualTo(type);
  }

  /** A native integer (major type 0/1, untagged) or a bignum (tag 2/3 on a byte string). */
  private static BigInteger integer(DataItem item, String at) {
    if (item.hasTag()) {
      long tag = item.getTag().getValue();
      assertThat(item.getTag().hasTag()).as(at + " nested tag").isFalse();
      assertThat(tag).as(at + " bignum tag").isIn(2L, 3L);
      assertThat(item).as(at).isInstanceOf(ByteString.class);
      BigInteger n = new BigInteger(1, ((ByteString) item).getBytes());
      return tag == 2 ? n : n.negate().subtract(BigInteger.ONE);
    }
    assertThat(item.getMajorType()).as(at).isIn(MajorType.UNSIGNED_INTEGER, MajorType.NEGATIVE_INTEGER);
    assertThat(item).as(at).isInstanceOfAny(UnsignedInteger.class, NegativeInteger.class);
    return ((co.nstant.in.cbor.model.Number) item).getValue();
  }

  private static List<DataItem> items(DataItem item, String at) {
    assertThat(item).as(at).isInstanceOf(Array.class);
    List<DataItem> items = new ArrayList<>(((Array) item).getDataItems());
    // cbor-java keeps the break of an indefinite-length array as a last item.
    if (!items.isEmpty() && items.get(items.size() - 1) == Special.BREAK) items.remove(items.size() - 1);
    return items;
  }

  private static void untagged(DataItem item, String at) {
    assertThat(item.hasTag()).as(at + " must be untagged").isFalse();
  }

  private static void tagged(DataItem item, long tag, String at) {
    assertThat(item.hasTag()).as(at + " must be tagged " + tag).isTrue();
    assertThat(item.getTag().getValue()).as(at).isEqualTo(tag);
    assertThat(item.getTag().hasTag()).as(at + " nested tag").isFalse();
  }
}
