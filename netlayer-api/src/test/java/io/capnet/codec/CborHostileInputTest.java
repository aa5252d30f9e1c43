package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.capnet.codec.DecodeException.Rule;
import io.capnet.value.Values;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile CBOR under a small heap (this tag runs in a fork with -Xmx128m -Xss512k): every
 * input must end in a DecodeException naming the rule (and offset), never OutOfMemoryError,
 * StackOverflowError, another exception or a hang.
 */
@Tag("small-heap")
@Timeout(120)
class CborHostileInputTest {
  private static final HexFormat HEX = HexFormat.of();

  /** {@code <op:deliver <desc:export 5> ['make-car "red" 42] 3 <desc:import-object 17>>}, 82 bytes. */
  private static final byte[] DELIVER =
      HEX.parseHex(
          "d81b85d901186a6f703a64656c69766572d81b82d901186b646573633a6578706f72740583d9011868"
              + "6d616b652d63617263726564182a03d81b82d9011872646573633a696d706f72742d6f626a65637411");

  private static final DecodeLimits GENEROUS =
      DecodeLimits.DEFAULT
          .withMaxValueBytes(Integer.MAX_VALUE)
          .withMaxCollectionLength(Integer.MAX_VALUE)
          .withMaxStringBytes(Integer.MAX_VALUE)
          .withMaxByteArrayBytes(Integer.MAX_VALUE);

  private static DecodeException reject(Codec codec, byte[] input) {
    try {
      Object v = codec.decode(input);
      return fail("decoded hostile input to " + Values.describe(v));
    } catch (DecodeException e) {
      return e;
    }
  }

  private static DecodeException reject(byte[] input) {
    return reject(Codec.cbor(), input);
  }

  private static void assertRejected(String hex, Rule rule, long offset) {
    DecodeException e = reject(HEX.parseHex(hex));
    assertThat(e.rule()).as("%s: %s", hex, e.getMessage()).isEqualTo(rule);
    assertThat(e.offset()).as("%s: %s", hex, e.getMessage()).isEqualTo(offset);
  }

  private static byte[] repeat(String hex, int times) {
    byte[] unit = HEX.parseHex(hex);
    byte[] out = new byte[unit.length * times];
    for (int i = 0; i < times; i++) System.arraycopy(unit, 0, out, i * unit.length, unit.length);
    return out;
  }

  @Test
  void hugeDeclaredLengthsAreRefusedBeforeAllocation() {
    assertRejected("5a7fffffff", Rule.BYTES_TOO_LONG, 0);
    assertRejected("5b7fffffffffffffff", Rule.BYTES_TOO_LONG, 0);
    assertRejected("5b8000000000000000", Rule.BYTES_TOO_LONG, 0);
    assertRejected("5bffffffffffffffff", Rule.BYTES_TOO_LONG, 0);
    assertRejected("7a7fffffff", Rule.STRING_TOO_LONG, 0);
    assertRejected("7b8000000000000000", Rule.STRING_TOO_LONG, 0);
    assertRejected("d901187a7fffffff", Rule.STRING_TOO_LONG, 0);
    assertRejected("9a7fffffff", Rule.COLLECTION_TOO_LONG, 0);
    assertRejected("9b8000000000000000", Rule.COLLECTION_TOO_LONG, 0);
    assertRejected("9bffffffffffffffff", Rule.COLLECTION_TOO_LONG, 0);
    assertRejected("ba7fffffff", Rule.COLLECTION_TOO_LONG, 0);
    assertRejected("bb7fffffffffffffff", Rule.COLLECTION_TOO_LONG, 0);
    assertRejected("d81b9b7fffffffffffffff", Rule.COLLECTION_TOO_LONG, 0);
    assertRejected("c25a7fffffff", Rule.BYTES_TOO_LONG, 0);
    assertRejected("815a7fffffff", Rule.BYTES_TOO_LONG, 1);
  }

  @Test
  void declaredLengthsWithinGenerousLimitsButPastTheEndAreTruncated() {
    Codec generous = Codec.cbor(GENEROUS);
    String[] inputs = {
      "5a7fffffff", "7a7fffffff", "9a7fffffff", "ba7fffffff", "d81b9a7fffffff", "c25a7fffffff",
      "7f7a7fffffff"
    };
    for (String hex : inputs) {
      DecodeException e = reject(generous, HEX.parseHex(hex));
      assertThat(e.rule()).as("%s: %s", hex, e.getMessage()).isEqualTo(Rule.TRUNCATED);
      assertThat(e.offset()).as(hex).isZero();
    }
    // Beyond an int, a length is over any limit.
    assertThat(reject(generous, HEX.parseHex("5b0000000080000000")).rule()).isEqualTo(Rule.BYTES_TOO_LONG);
  }

  @Test
  void hundredThousandNestedArraysHitTheDepthLimit() {
    int limit = DecodeLimits.DEFAULT.maxDepth();
    String[][] units = {{"81", "1"}, {"9f", "1"}, {"a16161", "3"}, {"d81b81", "3"}, {"d9ca018260", "5"}};
    for (String[] unit : units) {
      int times = 100_000 / (unit[0].length() / 2);
      DecodeException e = reject(repeat(unit[0], times));
      assertThat(e.rule()).as(unit[0]).isEqualTo(Rule.DEPTH_EXCEEDED);
      assertThat(e.offset()).as(unit[0]).isEqualTo((long) limit * Integer.parseInt(unit[1]));
    }
  }

  @Test
  void hundredThousandNestedTagsAreRefusedAtTheFirst() {
    for (String unit : new String[] {"d81b", "d90118", "c2", "d9ca01", "c0"}) {
      DecodeException e = reject(repeat(unit, 100_000));
      assertThat(e.rule()).as(unit).isEqualTo(Rule.UNKNOWN_TAG);
      assertThat(e.offset()).as(unit).isZero();
    }
  }

  @Test
  void aDepthLimitBeyondTheThreadStackStillFailsCleanly() {
    Codec deep = Codec.cbor(DecodeLimits.DEFAULT.withMaxDepth(10_000_000));
    for (String unit : new String[] {"81", "9f"}) {
      DecodeException e = reject(deep, repeat(unit, 1_000_000));
      assertThat(e.rule()).as(unit + ": " + e.getMessage()).isIn(Rule.DEPTH_EXCEEDED, Rule.TRUNCATED);
    }
    // The codec still works afterwards.
    assertThat(reject(Codec.cbor(), HEX.parseHex("ff")).rule()).isEqualTo(Rule.UNEXPECTED_BYTE);
  }

  @Test
  void theOpDeliverMessageCutAtEveryOffsetIsTruncated() throws DecodeException {
    assertThat(Codec.cbor().decode(DELIVER)).isNotNull();
    for (int n = 0; n < DELIVER.length; n++) {
      DecodeException e = reject(Arrays.copyOf(DELIVER, n));
      assertThat(e.rule()).as("cut at %d: %s", n, e.getMessage()).isEqualTo(Rule.TRUNCATED);
      assertThat(e.offset()).as("cut at %d: %s", n, e.getMessage()).isBetween(0L, (long) n);
    }
    // A cut head or declared length names its item; a missing item names the end of input.
    long[][] expected = {
      {0, 0}, {1, 0}, {2, 2}, {3, 0}, {17, 17}, {20, 17}, {25, 20}, {36, 36}, {40, 40}, {45, 37},
      {81, 81}
    };
    for (long[] cut : expected) {
      DecodeException e = reject(Arrays.copyOf(DELIVER, (int) cut[0]));
      assertThat(e.offset()).as("cut at %d: %s", cut[0], e.getMessage()).isEqualTo(cut[1]);
    }
  }

  @Test
  void trailingGarbageAfterTheMessageIsRefusedWhereItStarts() {
    for (String garbage : new String[] {"00", "ff", "d81b", "5a7fffffff", "9f", "f6f6f6"}) {
      byte[] in = Arrays.copyOf(DELIVER, DELIVER.length + garbage.length() / 2);
      System.arraycopy(HEX.parseHex(garbage), 0, in, DELIVER.length, garbage.length() / 2);
      DecodeException e = reject(in);
      assertThat(e.rule()).as(garbage).isEqualTo(Rule.TRAILING_BYTES);
      assertThat(e.offset()).as(garbage).isEqualTo(DELIVER.length);
    }
  }

  @Test
  void invalidUtf8IsRefusedInStringsSymbolsKeysAndTags() {
    assertRejected("62c328", Rule.INVALID_UTF8, 1);
    assertRejected("63eda080", Rule.INVALID_UTF8, 1);
    assertRejected("62c0af", Rule.INVALID_UTF8, 1);
    assertRejected("64f4908080", Rule.INVALID_UTF8, 1);
    assertRejected("d9011862c328", Rule.INVALID_UTF8, 4);
    assertRejected("d9011863eda080", Rule.INVALID_UTF8, 4);
    assertRejected("d901187f6161 61ff ff".replace(" ", ""), Rule.INVALID_UTF8, 7);
    assertRejected("a162c32801", Rule.INVALID_UTF8, 2);
    assertRejected("d9ca018261fff6", Rule.INVALID_UTF8, 5);
    assertRejected("d9ca028162c0af", Rule.INVALID_UTF8, 5);
    // In the middle of the message: the method name 'make-car becomes 'make\xffcar.
    byte[] bad = DELIVER.clone();
    bad[45] = (byte) 0xff;
    DecodeException e = reject(bad);
    assertThat(e.rule()).isEqualTo(Rule.INVALID_UTF8);
    assertThat(e.offset()).isEqualTo(45);
  }

  @Test
  void duplicateStructKeysAreRefusedEvenFarApart() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xb9);
    out.write(0x03);
    out.write(0xe9); // 1001 entries
    long dupOffset = -1;
    for (int i = 0; i <= 1000; i++) {
      byte[] key = ("k" + (i == 1000 ? 500 : i)).getBytes(StandardCharsets.US_ASCII);
      if (i == 1000) dupOffset = out.size();
      out.write(0x60 + key.length);
      out.writeBytes(key);
      out.write(0xf6);
    }
    DecodeException e = reject(out.toByteArray());
    assertThat(e.rule()).isEqualTo(Rule.DUPLICATE_KEY);
    assertThat(e.offset()).isEqualTo(dupOffset);
    assertRejected("a2616101616102", Rule.DUPLICATE_KEY, 4);
    assertRejected("bf616101 7f6161ff 02ff".replace(" ", ""), Rule.DUPLICATE_KEY, 4);
  }

  @Test
  void everyTagOutsideTheProfileIsRefused() {
    for (int tag = 0; tag < 70_000; tag++) {
      if (tag == 2 || tag == 3 || tag == 27 || tag == 280 || (tag >= 51713 && tag <= 51715)) continue;
      String head =
          tag < 24 ? String.format("%02x", 0xc0 + tag)
              : tag < 256 ? String.format("d8%02x", tag)
              : tag < 65536 ? String.format("d9%04x", tag)
              : String.format("da%08x", tag);
      DecodeException e = reject(HEX.parseHex(head + "f6"));
      assertThat(e.rule()).as(head).isEqualTo(Rule.UNKNOWN_TAG);
      assertThat(e.offset()).isZero();
    }
    assertRejected("da80000000f6", Rule.UNKNOWN_TAG, 0);
    assertRejected("db" + "ff".repeat(8) + "f6", Rule.UNKNOWN_TAG, 0);
    assertRejected("d9010082d81900", Rule.UNKNOWN_TAG, 0); // string-reference namespace
    assertRejected("c48221196ab3", Rule.UNKNOWN_TAG, 0); // decimal fraction
  }

  @Test
  void simpleValuesOtherThanTheFourAreRefused() {
    for (int v = 0; v < 256; v++) {
      if (v >= 20 && v <= 23) continue;
      String hex = v < 24 ? String.format("%02x", 0xe0 + v) : String.format("f8%02x", v);
      DecodeException e = reject(HEX.parseHex(hex));
      assertThat(e.rule()).as(hex).isEqualTo(v < 32 && v >= 24 ? Rule.MALFORMED_VALUE : Rule.UNSUPPORTED_TYPE);
    }
  }

  @Test
  void indefiniteContainersOverTheCollectionLimitAreRefused() {
    int n = DecodeLimits.DEFAULT.maxCollectionLength() + 1;
    byte[] in = new byte[n + 2];
    Arrays.fill(in, (byte) 0xf6);
    in[0] = (byte) 0x9f;
    in[n + 1] = (byte) 0xff;
    DecodeException e = reject(in);
    assertThat(e.rule()).isEqualTo(Rule.COLLECTION_TOO_LONG);
    assertThat(e.offset()).isZero();
  }

  @Test
  void aMillionEmptyTextChunksAreReadWithoutTrouble() throws DecodeException {
    byte[] in = new byte[1_000_002];
    Arrays.fill(in, (byte) 0x60);
    in[0] = (byte) 0x7f;
    in[in.length - 1] = (byte) 0xff;
    assertThat(Codec.cbor().decode(in)).isEqualTo("");
  }

  @Test
  void everyInputOfOneOrTwoBytesDecodesOrFailsWithADecodeException() {
    Codec cbor = Codec.cbor();
    int values = 0;
    for (int len = 1; len <= 2; len++) {
      for (int x = 0; x < (1 << (8 * len)); x++) {
        byte[] in = len == 1 ? new byte[] {(byte) x} : new byte[] {(byte) (x >> 8), (byte) x};
        try {
          Object v = cbor.decode(in, 0, in.length, CborVectorSlots.DECODE);
          byte[] again = cbor.encode(v, CborVectorSlots.ENCODE);
          assertThat(cbor.decode(again, 0, again.length, CborVectorSlots.DECODE)).isEqualTo(v);
          values++;
        } catch (DecodeException e) {
          assertThat(e.offset()).as(HEX.formatHex(in)).isBetween(0L, (long) len);
        }
      }
    }
    assertThat(values).isGreaterThan(100);
  }
}
