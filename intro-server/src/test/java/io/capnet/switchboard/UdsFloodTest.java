package io.capnet.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.captp.SessionLimits;
import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/** Draft connections that never register are held to Admission's unstarted limit and start timeout. */
@Timeout(60)
class UdsFloodTest {
  @Test
  void aFloodOfUnfinishedDraftConnectionsHoldsOnlyItsShareUntilTheStartTimeout() throws Exception {
    try (SwitchboardFixture fx = new SwitchboardFixture()) {
      SwitchboardDaemon d = fx.daemon("flood", b -> b.admission(1000, 1000, 8)
          .sessionLimits(SessionLimits.DEFAULT.withStartTimeout(Duration.ofSeconds(2))));
      long baseline = UdsSwitchboardTest.openFds();
      List<AFUNIXSocketChannel> flood = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        AFUNIXSocketChannel c = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(d.socketPath()));
        // Half send the '<' of a draft record and stop there; half send nothing at all.
        if (i % 2 == 0) c.write(ByteBuffer.wrap("<".getBytes()));
        flood.add(c);
      }
      Thread.sleep(500);
      int open = 0;
      for (AFUNIXSocketChannel c : flood) if (stillOpen(c)) open++;
      assertThat(open).as("connections the daemon kept").isEqualTo(8);
      Thread.sleep(3000);
      int after = 0;
      for (AFUNIXSocketChannel c : flood) if (stillOpen(c)) after++;
      assertThat(after).as("kept after the start timeout").isZero();
      for (AFUNIXSocketChannel c : flood) c.close();
      // Once the flood is over, the same uid is served at once.
      try (Switchboard sb = Switchboard.open(d.socketPath())) {
        assertThat(sb.list(Labels.empty())).isEmpty();
      }
      long now = UdsSwitchboardTest.openFds();
      for (int i = 0; i < 200 && now > baseline; i++) {
        Thread.sleep(25);
        now = UdsSwitchboardTest.openFds();
      }
      assertThat(now).isLessThanOrEqualTo(baseline);
    }
  }

  /** Whether the daemon still holds the connection: a non-blocking read finds no end of stream. */
  private static boolean stillOpen(AFUNIXSocketChannel c) {
    try {
      c.configureBlocking(false);
      ByteBuffer b = ByteBuffer.allocate(256);
      int n;
      while ((n = c.read(b)) > 0) b.clear();
      c.configureBlocking(true);
      return n == 0;
    } catch (java.io.IOException e) {
      return false; // junixsocket reports a socket the daemon closed as closed
    }
  }
}
