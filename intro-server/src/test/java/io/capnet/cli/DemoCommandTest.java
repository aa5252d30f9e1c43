package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's main-job command, run in process: every step happens, and it leaves nothing behind. */
class DemoCommandTest {
  @Test
  @Timeout(60)
  void demoIntroducesExchangesBytesPassesAnFdAndCleansUp() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Capnet.run(new PrintWriter(out, true), new PrintWriter(err, true), "demo");
    assertThat(code).as("exit code; stderr: %s", err).isZero();
    String text = out.toString();
    assertThat(text).contains("1. switchboard listening on ")
        .contains("2. server registered with labels {")
        .contains("3. client connected by labels {\"service\":\"echo\"}")
        .contains("4. bytes exchanged, no relay: client got \"echo: hello over a direct socket\"")
        .contains("the other peer read: \"the contents of an open file, read through a passed descriptor\"")
        .contains("\"client_pid\":\"" + ProcessHandle.current().pid() + "\"")
        .contains("7. cleaned up ");
    String dir = text.substring(text.indexOf("7. cleaned up ") + 14).strip();
    assertThat(new java.io.File(dir)).doesNotExist();
  }
}
