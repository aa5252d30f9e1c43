package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.capnet.codec.DecodeException.Rule;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile Syrup under a small heap (this tag runs in a fork with -Xmx128m): every input must
 * end in a DecodeException naming the rule, never OutOfMemoryError, StackOverflowError or a hang.
 */
@Tag("small-heap")
@Timeout(60)
class SyrupHostileInputTest {
  private static final byte[] DELIVER = ("<10'op:deliver<11'desc:export5+>[8'make-car3\"red42+]3+"
      + "<18'desc:import-object17+>>").getBytes(StandardCharsets.US_ASCII);

  private static DecodeException reject(byte[] input) {
    try {
      Object v = Codec.syrup().decode(input);
      return fail("decoded hostile input to " + io.capnet.value.Values.describe(v));
    } catch (DecodeException e) {
      return e;
    }
  }

  private static DecodeException rejectStreaming(byte[] input) throws Exception {
    try (ValueReader r = Codec.syrupReader(new ByteArrayInputStream(input), DecodeLimits.DEFAULT)) {
      while (r.read() != null) {
        // keep reading until the hostile value
      }
      return fail("stream ended cleanly");
    } catch (DecodeException e) {
      return e;
    }
  }

  @Test
  void hugeDeclaredLengthsAreRefusedBeforeAllocation() throws Exception {
    for (String s : new String[] {"99999999999:", "99999999999\"", "99999999999'",
        "9223372036854775807:", "99999999999999999999999999999999:", "2147483647:x"}) {
      DecodeException e = reject(s.getBytes(StandardCharsets.US_ASCII));
      assertThat(e.rule()).as(s).isIn(Rule.BYTES_TOO_LONG, Rule.STRING_TOO_LONG);
      assertThat(e.offset()).isZero();
      assertThat(rejectStreaming(s.getBytes(StandardCharsets.US_ASCII)).rule()).isIn(Rule.BYTES_TOO_LONG, Rule.STRING_TOO_LONG);
    }
  }

  @Test
  void declaredLengthWithinLimitsButPastTheEndIsTruncated() throws Exception {
    byte[] in = "1000000:ab".getBytes(StandardCharsets.US_ASCII);
    assertThat(reject(in).rule()).isEqualTo(Rule.TRUNCATED);
    assertThat(rejectStreaming(in).rule()).isEqualTo(Rule.TRUNCATED);
  }

  @Test
  void hundredThousandNestedBracketsHitTheDepthLimit() throws Exception {
    for (char open : new char[] {'[', '{', '<'}) {
      byte[] in = new byte[100_000];
      Arrays.fill(in, (byte) open);
      DecodeException e = reject(in);
      assertThat(e.rule()).isEqualTo(Rule.DEPTH_EXCEEDED);
      assertThat(e.offset()).isEqualTo(DecodeLimits.DEFAULT.maxDepth());
      assertThat(rejectStreaming(in).rule()).isEqualTo(Rule.DEPTH_EXCEEDED);
    }
  }

  @Test
  void aMessageTruncatedAtEveryOffsetIsTruncated() throws Exception {
    for (int n = 0; n < DELIVER.length; n++) {
      byte[] cut = Arrays.copyOf(DELIVER, n);
      DecodeException e = reject(cut);
      assertThat(e.rule()).as("cut at %d: %s", n, e.getMessage()).isEqualTo(Rule.TRUNCATED);
      assertThat(e.offset()).isBetween(0L, (long) n);
      if (n > 0) assertThat(rejectStreaming(cut).rule()).isEqualTo(Rule.TRUNCATED);
    }
    assertThat(Codec.syrup().decode(DELIVER)).isNotNull();
  }

  @Test
  void invalidUtf8InStringsAndSymbolsIsRejected() {
    String[] bad = {"c328", "a0", "eda080", "c0af", "f4908080", "e282", "ff", "f880808080"};
    for (String hex : bad) {
      byte[] payload = java.util.HexFormat.of().parseHex(hex);
      for (char joiner : new char[] {'"', '\''}) {
        byte[] in = SyrupCodecTest.concat((payload.length + "" + joiner).getBytes(StandardCharsets.US_ASCII), payload);
        DecodeException e = reject(in);
        assertThat(e.rule()).as(hex).isEqualTo(Rule.INVALID_UTF8);
      }
    }
  }

  @Test
  void duplicateStructKeysAreRejected() {
    DecodeException e = reject("{1\"a1+1\"b2+1\"a3+}".getBytes(StandardCharsets.US_ASCII));
    assertThat(e.rule()).isEqualTo(Rule.DUPLICATE_KEY);
    assertThat(e.offset()).isEqualTo(11);
  }

  @Test
  void trailingGarbageIsRejected() {
    byte[] in = SyrupCodecTest.concat(DELIVER, "garbage".getBytes(StandardCharsets.US_ASCII));
    DecodeException e = reject(in);
    assertThat(e.rule()).isEqualTo(Rule.TRAILING_BYTES);
    assertThat(e.offset()).isEqualTo(DELIVER.length);
  }

  @Test
  void hugeIntegersAreRefusedWithoutQuadraticParsing() {
    byte[] digits = new byte[1_000_001];
    Arrays.fill(digits, (byte) '7');
    digits[digits.length - 1] = '+';
    DecodeException e = reject(digits);
    assertThat(e.rule()).isEqualTo(Rule.INTEGER_TOO_LARGE);
  }

  @Test
  void longRunsOfWhitespaceAndManySmallItemsStayBounded() {
    // One more item than the default maxCollectionLength of 1,000,000.
    byte[] list = new byte[2_000_004];
    list[0] = '[';
    for (int i = 1; i < list.length - 1; i += 2) {
      list[i] = 't';
      list[i + 1] = ' ';
    }
    list[list.length - 1] = ']';
    DecodeException e = reject(list);
    assertThat(e.rule()).isEqualTo(Rule.COLLECTION_TOO_LONG);
  }

  @Test
  void randomBytesNeverEscapeAsAnythingButDecodeException() {
    java.util.Random r = new java.util.Random(7);
    byte[] alphabet = "0123456789:\"'+-[]{}<>tfDF# \n".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 200_000; i++) {
      byte[] in = new byte[r.nextInt(24)];
      for (int k = 0; k < in.length; k++) {
        in[k] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
      }
      try {
        Object v = Codec.syrup().decode(in);
        assertThat(Codec.syrup().decode(Codec.syrup().encode(v))).isEqualTo(v);
      } catch (DecodeException expected) {
        assertThat(expected.rule()).isNotNull();
      }
    }
  }
}
