package io.capnet.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The daemon's log lines do not grow with what a client sends (issue 12 #10). */
@Timeout(60)
class LogLinesTest {
  private final SwitchboardFixture fx;
  private final List<String> lines = new ArrayList<>();
  private final Logger logger = Logger.getLogger("io.capnet.switchboard");
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      synchronized (lines) {
        lines.add(r.getMessage());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private final java.util.logging.Level levelBefore = logger.getLevel();

  LogLinesTest() throws Exception {
    fx = new SwitchboardFixture();
    logger.addHandler(capture);
    logger.setLevel(java.util.logging.Level.INFO); // other tests in this JVM quiet it
  }

  @AfterEach
  void close() throws Exception {
    logger.removeHandler(capture);
    logger.setLevel(levelBefore);
    fx.close();
  }

  @Test
  void registrationsWithLongLabelValuesLogEachValueCutToSixtyFourCharacters() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    String longValue = "v".repeat(1024);
    for (int i = 0; i < 10; i++) {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("svc", "big" + i);
      for (int k = 0; k < 40; k++) m.put("k" + k, longValue);
      root.serve(Labels.of(m), intro -> intro.socket().close());
    }
    List<String> registered;
    synchronized (lines) {
      registered = lines.stream().filter(l -> l.contains(" registered ")).toList();
    }
    assertThat(registered).hasSize(10);
    for (String line : registered) {
      assertThat(line).doesNotContain(longValue)
          .contains("\"k0\":\"" + "v".repeat(64) + "\u2026(1024 chars)\"")
          .contains("\"svc\":\"big");
      // 40 values of 1,024 characters would be over 40,000; cut, each is 64 plus its marker.
      assertThat(line.length()).isLessThan(4_500);
    }
  }
}
