package io.capnet.unix;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeLimits;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.FdCount;
import io.capnet.value.Descriptor;
import io.capnet.value.Record;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Switchboard's job, a thousand times: make a pair, pass one end through a unix connection,
 * use it, close everything. The process must end with the descriptors it started with.
 */
class IntroductionLeakTest {
  private static final Codec CBOR = Codec.cbor(DecodeLimits.DEFAULT);

  @Test
  @Timeout(120)
  void aThousandIntroductionsLeaveNoDescriptorBehind() throws Exception {
    UnixTestConnections.warmUp();
    long baseline = FdCount.open();
    Connection[] carrier = UnixTestConnections.pair(CBOR, UnixLimits.DEFAULT, Integer.MAX_VALUE, Integer.MAX_VALUE);
    Connection switchboard = carrier[0];
    Connection client = carrier[1];
    ByteBuffer out = ByteBuffer.allocate(1);
    ByteBuffer in = ByteBuffer.allocate(1);
    long started = System.nanoTime();
    int n = 1000;
    for (int i = 0; i < n; i++) {
      UnixSockets.Pair p = UnixSockets.pair();
      WithDescriptors.send(switchboard, Record.of("introduce", p.first(), (long) i));
      p.first().close(); // the switchboard's copy; the client's is in the kernel
      Record r = (Record) client.receive();
      assertThat(r.field(1)).isEqualTo((long) i);
      try (UnixSocket there = UnixSockets.channel((Descriptor) r.field(0));
          UnixSocket here = UnixSockets.channel(p.second())) {
        out.clear().put((byte) i).flip();
        there.channel().write(out);
        in.clear();
        here.channel().read(in);
        assertThat(in.get(0)).isEqualTo((byte) i);
      }
    }
    long perIntroduction = (System.nanoTime() - started) / n / 1000;
    System.out.println("IntroductionLeakTest: " + perIntroduction + " us per introduction");
    switchboard.close();
    client.close();
    FdCount.assertReturnsTo(baseline);
  }
}
