package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class DecodeCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Capnet.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void decodesSyrupDetectedFromTheFirstByte() {
    // <10'op:deliver<11'desc:export5+>[2'go]3+f>
    String hex = java.util.HexFormat.of().formatHex("<10'op:deliver<11'desc:export5+>[2'go]3+f>".getBytes());
    assertThat(run("decode", hex)).isZero();
    assertThat(out.toString().trim()).isEqualTo("<op:deliver <desc:export 5> ['go] 3 f>");
  }

  @Test
  void refusedInputExitsOneAndNamesTheRuleAndOffset() {
    String hex = java.util.HexFormat.of().formatHex("<3'foo99999999999:>".getBytes());
    assertThat(run("decode", hex)).isEqualTo(1);
    assertThat(err.toString()).contains("bytes-too-long at byte 6");
  }

  @Test
  void undetectableFirstByteIsRefused() {
    assertThat(run("decode", "00")).isEqualTo(1);
    assertThat(err.toString()).contains("unexpected-byte at byte 0");
  }

  @Test
  void badHexIsAUsageError() {
    assertThat(run("decode", "zz")).isEqualTo(2);
    assertThat(err.toString()).contains("not hex");
  }

  @Test
  void unknownCommandIsAUsageError() {
    assertThat(run("frobnicate")).isEqualTo(2);
  }
}
