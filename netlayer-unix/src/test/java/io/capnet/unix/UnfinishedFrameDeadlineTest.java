package io.capnet.unix;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.captp.BrokenException;
import io.capnet.captp.Peer;
import io.capnet.captp.Promise;
import io.capnet.codec.Codec;
import io.capnet.codec.DecodeLimits;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.FdCount;
import io.capnet.value.Bytes;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer that starts a frame and never finishes it holds the frame's bytes and descriptors only
 * until {@code maxFrameMillis}: then its session ends with a reason, and every descriptor that
 * rode on the unfinished frame is closed.
 */
@Timeout(30)
class UnfinishedFrameDeadlineTest {
  @BeforeAll
  static void warmUp() throws Exception {
    UnixTestConnections.warmUp();
  }

  @Test
  void aFrameLeftUnfinishedEndsTheSessionAtMaxFrameMillisAndItsDescriptorsAreClosed() throws Exception {
    long baseline = FdCount.open();
    UnixSockets.Pair pair = UnixSockets.pair();
    Codec codec = Codec.cbor(DecodeLimits.DEFAULT.withMaxFrameMillis(300));
    try (UnixSocket raw = UnixSockets.channel(pair.first());
         FileInputStream devNull = new FileInputStream("/dev/null");
         io.capnet.netlayer.Netlayer own = io.capnet.netlayer.InMemoryNetwork.create().netlayer("patient");
         Peer peer = Peer.builder().name("patient").netlayer(own).build()) {
      Connection conn = UnixConnections.over(UnixSockets.channel(pair.second()), UnixLimits.DEFAULT, codec, "deadline test");
      Promise fetched = peer.fetchOver(conn, Bytes.of((byte) 1));
      // The header of a 100-byte frame that carries 4 descriptors, and 10 bytes of its body.
      byte[] start = ByteBuffer.allocate(15).putInt(100).put((byte) 4).put(new byte[10]).array();
      FileDescriptor[] fds = new FileDescriptor[4];
      Arrays.fill(fds, devNull.getFD());
      raw.channel().setOutboundFileDescriptors(fds);
      ByteBuffer b = ByteBuffer.wrap(start);
      while (b.hasRemaining()) raw.channel().write(b);

      long sent = System.nanoTime();
      ExecutionException broken = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> fetched.future().get(10, TimeUnit.SECONDS));
      long waitedMillis = (System.nanoTime() - sent) / 1_000_000;
      assertThat(broken.getCause()).isInstanceOf(BrokenException.class);
      assertThat(broken.getCause().getMessage())
          .contains("a frame stayed unfinished for over 300 ms (maxFrameMillis): 15 bytes of it arrived");
      assertThat(waitedMillis).as("not before the deadline").isGreaterThanOrEqualTo(250);
      // The session's end reaches the raw side too: its socket is closed from the other end.
      ByteBuffer in = ByteBuffer.allocate(4096);
      int n;
      raw.channel().configureBlocking(true);
      while ((n = raw.channel().read(in)) > 0) in.clear();
      assertThat(n).isEqualTo(-1);
    }
    FdCount.assertReturnsTo(baseline);
  }
}
