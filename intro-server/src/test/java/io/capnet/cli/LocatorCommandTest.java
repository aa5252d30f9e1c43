package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class LocatorCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Capnet.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void printsTheRecordFormOfASturdyref() {
    assertThat(run("locator", "OCAPN://abc.def.tcp-testing-only/s/JadQ0++R?host=127.0.0.1&port=22045")).isZero();
    assertThat(out.toString())
        .contains("kind:        sturdyref")
        .contains("designator:  abc.def")
        .contains("transport:   tcp-testing-only")
        .contains("hint:        port=22045")
        .contains("uri:         ocapn://abc.def.tcp-testing-only/s/JadQ0%2B%2BR?host=127.0.0.1&port=22045")
        .contains("record:      <ocapn-sturdyref <ocapn-peer 'tcp-testing-only \"abc.def\" {\"host\": \"127.0.0.1\", \"port\": \"22045\"}> :4a616451302b2b52>");
  }

  @Test
  void malformedUriExitsOneWithTheReason() {
    assertThat(run("locator", "http://abc.tcp")).isEqualTo(1);
    assertThat(err.toString()).contains("capnet locator:");
  }
}
