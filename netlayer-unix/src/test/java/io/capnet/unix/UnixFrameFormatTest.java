package io.capnet.unix;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.codec.Codec;
import io.capnet.netlayer.Connection;
import io.capnet.value.Descriptor;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bytes and descriptors on the wire are the ones spec/unix.md shows. */
@Timeout(30)
class UnixFrameFormatTest {
  static final String SPEC_EXAMPLE = "0000003601d81b83d901186f6f703a64656c697665722d6f6e6c79d81b82d901186b"
      + "646573633a6578706f72740382d901186474616b65d9ca0300";

  @Test
  void theSpecExampleFrameIsWhatTheConnectionWritesWithItsDescriptorOnTheFirstByte() throws Exception {
    UnixSockets.Pair p = UnixSockets.pair();
    try (Connection conn = UnixConnections.over(UnixSockets.channel(p.first()), UnixLimits.DEFAULT, Codec.cbor(), "spec");
        UnixSocket raw = UnixSockets.channel(p.second());
        FileInputStream devNull = new FileInputStream("/dev/null")) {
      conn.send(Codec.cbor().encode(Record.of("x")), List.of()); // buffered, fd-less
      WithDescriptors.send(conn, Record.of("op:deliver-only", Record.of("desc:export", 3L),
          List.of(new Symbol("take"), Descriptor.adopt(devNull.getFD()))));
      conn.flush();

      raw.channel().setAncillaryReceiveBufferSize(256);
      byte[] first = Codec.cbor().encode(Record.of("x"));
      ByteBuffer wire = ByteBuffer.allocate(5 + first.length + 59);
      int fdsSeen = 0;
      long fdAt = -1;
      while (wire.hasRemaining()) {
        int before = wire.position();
        raw.channel().read(wire);
        FileDescriptor[] fds = raw.channel().getReceivedFileDescriptors();
        if (fds.length > 0) {
          fdsSeen += fds.length;
          fdAt = before;
          for (FileDescriptor fd : fds) new FileInputStream(fd).close();
        }
      }
      String hex = HexFormat.of().formatHex(wire.array());
      assertThat(hex.substring(2 * (5 + first.length))).isEqualTo(SPEC_EXAMPLE);
      assertThat(fdsSeen).isEqualTo(1);
      // The read that brought the descriptor began at or before the frame's first byte.
      assertThat(fdAt).isBetween(0L, (long) (5 + first.length));
    }
  }
}
