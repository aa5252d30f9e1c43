package io.capnet.netlayer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.capnet.codec.Codec;
import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The tcp-testing-only listener's framing (spec/framing.md) on arbitrary bytes: whatever the
 * bytes, and however the reads split them, it cuts the same messages and fails, if at all, with
 * the same DecodeException rule, and never with anything else. Under {@code mvn test} it replays
 * its seeds; with {@code JAZZER_FUZZ=1} it fuzzes (README, "Fuzzing").
 */
class SyrupFramerFuzzTest {
  private static final DecodeLimits SMALL = DecodeLimits.DEFAULT.withMaxValueBytes(4096).withMaxDepth(16);

  /** The messages cut from {@code input} fed in reads of the given sizes, then the rule that ended it or "end". */
  private static List<Object> cut(byte[] input, int[] reads) {
    SyrupFramer framer = SyrupFramer.listening(SMALL.maxValueBytes(), SMALL.maxDepth());
    FrameReader reader = new FrameReader(framer, framer.maxFrameBytes());
    Codec codec = Codec.syrup(SMALL);
    List<Object> out = new ArrayList<>();
    int[] at = {0};
    int[] next = {0};
    try {
      while (true) {
        int n = reader.readOnce(dst -> {
          if (at[0] >= input.length) return -1;
          int size = Math.max(1, reads.length == 0 ? input.length : reads[next[0]++ % reads.length]);
          int k = Math.min(Math.min(size, dst.remaining()), input.length - at[0]);
          dst.put(input, at[0], k);
          at[0] += k;
          return k;
        }, (b, off, len, streamOffset) -> {
          Object m = framer.decode(codec, b, off, len, streamOffset);
          if (m != null) out.add(m);
          return true;
        });
        if (n < 0) break;
      }
      out.add("end");
    } catch (DecodeException e) {
      out.add(e.rule().code());
    } catch (IOException e) {
      throw new AssertionError("not a DecodeException: " + e, e);
    }
    return out;
  }

  @FuzzTest(maxDuration = "60s")
  void cutsTheSameMessagesHoweverTheReadsSplitTheBytes(FuzzedDataProvider data) {
    int[] reads = new int[data.consumeInt(0, 8)];
    for (int i = 0; i < reads.length; i++) reads[i] = data.consumeInt(1, 64);
    byte[] input = data.consumeRemainingAsBytes();
    List<Object> whole = cut(input, new int[0]);
    assertThat(cut(input, reads)).isEqualTo(whole);
    assertThat(cut(input, new int[] {1})).isEqualTo(whole);
  }
}
