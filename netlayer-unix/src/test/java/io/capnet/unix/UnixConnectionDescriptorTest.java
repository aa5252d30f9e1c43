package io.capnet.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeLimits;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.FdCount;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.netlayer.PeerCredentials;
import io.capnet.value.Descriptor;
import io.capnet.value.Record;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real descriptors through a real socket pair, as Descriptor values inside CBOR messages. */
@Timeout(30)
class UnixConnectionDescriptorTest {
  private static final Codec CBOR = Codec.cbor(DecodeLimits.DEFAULT.withMaxValueBytes(1 << 20));

  private long baseline;
  private Connection alice;
  private Connection bob;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeAll
  static void warmUp() throws IOException {
    UnixTestConnections.warmUp();
  }

  @BeforeEach
  void open() throws IOException {
    baseline = FdCount.open();
    Connection[] c = UnixTestConnections.pair(CBOR, UnixLimits.DEFAULT, Integer.MAX_VALUE, Integer.MAX_VALUE);
    alice = c[0];
    bob = c[1];
  }

  @AfterEach
  void closeAllAndCheckForLeaks() throws Exception {
    for (AutoCloseable c : cleanup.reversed()) c.close();
    alice.close();
    bob.close();
    FdCount.assertReturnsTo(baseline);
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    cleanup.add(c);
    return c;
  }

  /** A socket pair whose first end is to be sent and second end kept; both closed after the test. */
  private UnixSockets.Pair socketToSend() throws IOException {
    return closeLater(UnixSockets.pair());
  }

  private static void write(UnixSocket s, String text) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (b.hasRemaining()) s.channel().write(b);
  }

  private static String read(UnixSocket s, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (s.channel().read(b) < 0) break;
    }
    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
  }

  private Descriptor receiveDescriptor(Connection c, String label) throws IOException {
    Object got = c.receive();
    assertThat(got).isInstanceOf(Record.class);
    Record r = (Record) got;
    assertThat(r.hasLabel(label)).as("label of %s", r).isTrue();
    return closeLater((Descriptor) r.field(0));
  }

  @Test
  void aSocketSentAsADescriptorValueCarriesBytesToTheEndThatStayed() throws Exception {
    assertThat(alice.supports(NetlayerCapability.DESCRIPTORS)).isTrue();
    UnixSockets.Pair p = socketToSend();
    WithDescriptors.send(alice, Record.of("take", p.first(), "a socket"));
    alice.flush();
    p.first().close(); // the frame is in the kernel; the sender may close its copy at once

    Descriptor d = receiveDescriptor(bob, "take");
    UnixSocket there = closeLater(UnixSockets.channel(d));
    UnixSocket here = closeLater(UnixSockets.channel(p.second()));
    write(there, "hello through a passed socket");
    assertThat(read(here, 29)).isEqualTo("hello through a passed socket");
    write(here, "and back");
    assertThat(read(there, 8)).isEqualTo("and back");
  }

  @Test
  void aFileSentAsADescriptorIsReadableByTheReceiver(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("note"), "the contents");
    FileInputStream in = closeLater(new FileInputStream(file.toFile()));
    WithDescriptors.send(alice, Record.of("file", Descriptor.adopt(in.getFD())));
    Descriptor d = receiveDescriptor(bob, "file");
    try (FileInputStream got = new FileInputStream(d.fileDescriptor())) {
      assertThat(new String(got.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("the contents");
    }
  }

  @Test
  void theSenderKeepsItsDescriptorsOpen() throws Exception {
    FileOutputStream out = closeLater(new FileOutputStream("/dev/null"));
    Descriptor d = Descriptor.adopt(out.getFD());
    WithDescriptors.send(alice, Record.of("file", d));
    assertThat(d.isOpen()).isTrue();
    out.write('x'); // still usable
    receiveDescriptor(bob, "file");
  }

  @Test
  void aFrameWithThreeDescriptorsHandsOutEachSlotToItsValue() throws Exception {
    UnixSockets.Pair[] pairs = {socketToSend(), socketToSend(), socketToSend()};
    WithDescriptors.send(alice, Record.of("three",
        List.of(pairs[0].first(), pairs[1].first(), pairs[2].first())));
    Record r = (Record) bob.receive();
    @SuppressWarnings("unchecked")
    List<Object> got = (List<Object>) r.field(0);
    assertThat(got).hasSize(3);
    for (int i = 0; i < 3; i++) {
      UnixSocket there = closeLater(UnixSockets.channel((Descriptor) got.get(i)));
      UnixSocket here = closeLater(UnixSockets.channel(pairs[i].second()));
      write(there, "n" + i);
      assertThat(read(here, 2)).as("socket %d reached the right end", i).isEqualTo("n" + i);
    }
  }

  @Test
  void framesWithDescriptorsAmongFramesWithoutArriveInOrderEachWithItsOwn() throws Exception {
    List<UnixSockets.Pair> pairs = new ArrayList<>();
    List<Object> sent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      switch (i % 3) {
        case 0 -> sent.add(Record.of("plain", (long) i));
        case 1 -> {
          UnixSockets.Pair p = socketToSend();
          pairs.add(p);
          sent.add(Record.of("one", p.first(), (long) i));
        }
        default -> {
          UnixSockets.Pair p = socketToSend();
          UnixSockets.Pair q = socketToSend();
          pairs.add(p);
          pairs.add(q);
          sent.add(Record.of("two", p.first(), q.first(), (long) i));
        }
      }
    }
    for (Object v : sent) WithDescriptors.send(alice, v); // no flush: plain frames stay buffered
    alice.flush();
    int next = 0;
    for (int i = 0; i < 30; i++) {
      Record r = (Record) bob.receive();
      assertThat(r.field(r.size() - 1)).isEqualTo((long) i);
      for (int f = 0; f < r.size() - 1; f++) {
        UnixSocket there = closeLater(UnixSockets.channel((Descriptor) r.field(f)));
        UnixSocket here = closeLater(UnixSockets.channel(pairs.get(next++).second()));
        write(there, "m" + i);
        assertThat(read(here, String.valueOf("m" + i).length())).isEqualTo("m" + i);
      }
    }
    assertThat(next).isEqualTo(pairs.size());
  }

  @Test
  void manyDescriptorFramesBackToBackReachTheSlowReaderIntact() throws Exception {
    // The reader starts only after every frame is in its socket, so the kernel has all of them
    // queued at once; each recvmsg must still stop at one sender write's descriptors.
    int frames = 200;
    FileInputStream devNull = closeLater(new FileInputStream("/dev/null"));
    Descriptor d = Descriptor.adopt(devNull.getFD());
    for (int i = 0; i < frames; i++) {
      WithDescriptors.send(alice, Record.of("n", d, i % 2 == 0 ? d : "none", (long) i));
    }
    for (int i = 0; i < frames; i++) {
      Record r = (Record) bob.receive();
      assertThat(r.field(2)).isEqualTo((long) i);
      ((Descriptor) r.field(0)).close();
      if (r.field(1) instanceof Descriptor second) second.close();
    }
  }

  @Test
  void aDescriptorTheMessageDoesNotMentionIsClosed() throws Exception {
    UnixSockets.Pair p = socketToSend();
    FileInputStream devNull = closeLater(new FileInputStream("/dev/null"));
    // Two descriptors on the frame, but the message, [descriptor slot 1], mentions only slot 1.
    byte[] message = HexFormat.of().parseHex("81" + "d9ca03" + "01");
    alice.send(message, List.of(p.first(), Descriptor.adopt(devNull.getFD())));
    alice.flush();
    p.first().close();
    List<?> got = (List<?>) bob.receive();
    closeLater((Descriptor) got.get(0));
    // Slot 0 was the only other copy of the socket's first end: once it is closed, the kept end
    // reads end of stream.
    UnixSocket here = closeLater(UnixSockets.channel(p.second()));
    assertThat(here.channel().read(ByteBuffer.allocate(1))).isEqualTo(-1);
  }

  @Test
  void aReceivedDescriptorStillWorksAfterTheCarrierConnectionIsClosed() throws Exception {
    UnixSockets.Pair p = socketToSend();
    WithDescriptors.send(alice, Record.of("take", p.first()));
    p.first().close();
    Descriptor d = receiveDescriptor(bob, "take");
    alice.close();
    bob.close();
    // junixsocket closes the descriptors it still tracks when the carrier closes; ours is a
    // duplicate it does not know.
    assertThat(d.isOpen()).isTrue();
    UnixSocket there = closeLater(UnixSockets.channel(d));
    UnixSocket here = closeLater(UnixSockets.channel(p.second()));
    write(there, "still here");
    assertThat(read(here, 10)).isEqualTo("still here");
  }

  @Test
  void moreDescriptorsThanTheLimitAreRefusedBeforeAnythingIsWritten() throws Exception {
    FileInputStream devNull = closeLater(new FileInputStream("/dev/null"));
    Descriptor d = Descriptor.adopt(devNull.getFD());
    List<Descriptor> seventeen = new ArrayList<>();
    for (int i = 0; i < 17; i++) seventeen.add(d);
    assertThatThrownBy(() -> alice.send(CBOR.encode("x"), seventeen))
        .isInstanceOf(IOException.class)
        .hasMessage("unix a: a frame can carry 16 file descriptors (maxFdsPerFrame), not 17");
    WithDescriptors.send(alice, "still fine");
    alice.flush();
    assertThat(bob.receive()).isEqualTo("still fine");
  }

  @Test
  void aClosedDescriptorIsRefusedBeforeAnythingIsWritten() throws Exception {
    Descriptor closed = Descriptor.adopt(new FileInputStream("/dev/null").getFD());
    closed.close();
    assertThatThrownBy(() -> alice.send(CBOR.encode("x"), List.of(closed)))
        .isInstanceOf(IOException.class)
        .hasMessage("unix a: descriptor 0 of the frame is closed");
    WithDescriptors.send(alice, "still fine");
    alice.flush();
    assertThat(bob.receive()).isEqualTo("still fine");
  }

  @Test
  void peerCredentialsNameThisProcessAndUser() throws Exception {
    PeerCredentials who = bob.peerCredentials().orElseThrow();
    assertThat(who.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(who.uid()).isEqualTo(new com.sun.security.auth.module.UnixSystem().getUid());
    assertThat(who.gid()).isEqualTo(new com.sun.security.auth.module.UnixSystem().getGid());
    assertThat(alice.peerCredentials()).contains(who);
  }
}
