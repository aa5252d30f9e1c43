package io.capnet.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * maxItems bounds every item of a value at every depth, not only one collection's length: a
 * 16 MiB frame of empty maps cost 1.8 GB before (issue 12 #6). Inputs are written byte by byte.
 */
class ItemBudgetTest {
  private static final DecodeLimits THOUSAND = DecodeLimits.DEFAULT.withMaxItems(1000);

  /** A CBOR array of {@code n} (< 65,536) empty maps: 0x99, a 2-byte length, then n times 0xa0. */
  private static byte[] cborArrayOfEmptyMaps(int n) {
    byte[] b = new byte[3 + n];
    b[0] = (byte) 0x99;
    b[1] = (byte) (n >>> 8);
    b[2] = (byte) n;
    for (int i = 0; i < n; i++) b[3 + i] = (byte) 0xa0;
    return b;
  }

  /** A Syrup list of {@code n} empty dictionaries: [ then n times {} then ]. */
  private static byte[] syrupListOfEmptyDictionaries(int n) {
    return ("[" + "{}".repeat(n) + "]").getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aCborValueOfExactlyMaxItemsDecodes() throws Exception {
    assertThat(Codec.cbor(THOUSAND).decode(cborArrayOfEmptyMaps(999)))
        .isEqualTo(Collections.nCopies(999, Map.of()));
  }

  @Test
  void aCborValueOfOneItemMoreIsTooManyItemsWhereThatItemStarts() {
    assertThatThrownBy(() -> Codec.cbor(THOUSAND).decode(cborArrayOfEmptyMaps(1000)))
        .isInstanceOfSatisfying(DecodeException.class, e -> {
          assertThat(e.rule()).isEqualTo(DecodeException.Rule.TOO_MANY_ITEMS);
          assertThat(e.offset()).isEqualTo(3 + 999);
        })
        .hasMessageContaining("more than 1000 items in one value (maxItems)");
  }

  @Test
  void aSyrupValueOfExactlyMaxItemsDecodesAndOneMoreIsRefused() throws Exception {
    assertThat(Codec.syrup(THOUSAND).decode(syrupListOfEmptyDictionaries(999)))
        .isEqualTo(Collections.nCopies(999, Map.of()));
    assertThatThrownBy(() -> Codec.syrup(THOUSAND).decode(syrupListOfEmptyDictionaries(1000)))
        .isInstanceOfSatisfying(DecodeException.class, e -> {
          assertThat(e.rule()).isEqualTo(DecodeException.Rule.TOO_MANY_ITEMS);
          assertThat(e.offset()).isEqualTo(1 + 2 * 999);
        });
  }

  @Test
  void nestedItemsCountToo() {
    // [[[...]]] 1,001 deep would break maxDepth first; 10 lists of 100 nulls break maxItems.
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < 10; i++) s.append("[").append("t".repeat(100)).append("]");
    s.append("]");
    assertThatThrownBy(() -> Codec.syrup(THOUSAND).decode(s.toString().getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOfSatisfying(DecodeException.class,
            e -> assertThat(e.rule()).isEqualTo(DecodeException.Rule.TOO_MANY_ITEMS));
  }

  @Test
  void theDefaultIsTwoMillion() {
    assertThat(DecodeLimits.DEFAULT.maxItems()).isEqualTo(2_000_000); // twice the longest collection
    assertThat(List.of(DecodeException.Rule.TOO_MANY_ITEMS.code())).containsExactly("too-many-items");
  }
}
