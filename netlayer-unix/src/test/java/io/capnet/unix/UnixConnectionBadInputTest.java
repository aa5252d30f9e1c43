package io.capnet.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import io.capnet.codec.DecodeLimits;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.FdCount;
import io.capnet.value.Descriptor;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * Hand-made frames and descriptors written on the raw socket: every way the descriptors can
 * disagree with the frames ends the connection with the exact reason, and closes every
 * descriptor that came in.
 */
@Timeout(30)
class UnixConnectionBadInputTest {
  private static final Codec CBOR = Codec.cbor(DecodeLimits.DEFAULT.withMaxValueBytes(1 << 20));
  private static final byte[] HI = HexFormat.of().parseHex("626869"); // "hi"

  private long baseline;
  private UnixSocket raw;
  private Connection conn;
  private FileInputStream devNull;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeAll
  static void warmUp() throws IOException {
    UnixTestConnections.warmUp();
  }

  @BeforeEach
  void open() throws IOException {
    baseline = FdCount.open();
    UnixSockets.Pair p = UnixSockets.pair();
    raw = UnixSockets.channel(p.first());
    conn = UnixConnections.over(UnixSockets.channel(p.second()), UnixLimits.DEFAULT, CBOR, "unix test");
    devNull = new FileInputStream("/dev/null");
  }

  @AfterEach
  void closeAndCheckForLeaks() throws Exception {
    threads.shutdownNow();
    devNull.close();
    raw.close();
    conn.close();
    FdCount.assertReturnsTo(baseline);
  }

  /** A frame as the wire has it: u32 length, u8 fd count, message. */
  static byte[] frame(int fdCount, byte[] message) {
    return ByteBuffer.allocate(5 + message.length)
        .putInt(message.length).put((byte) fdCount).put(message).array();
  }

  static byte[] hex(String h) {
    return HexFormat.of().parseHex(h);
  }

  /** One write on the raw socket, carrying {@code fdCount} copies of /dev/null. */
  private void write(byte[] bytes, int fdCount) throws IOException {
    if (fdCount > 0) {
      FileDescriptor[] fds = new FileDescriptor[fdCount];
      Arrays.fill(fds, devNull.getFD());
      raw.channel().setOutboundFileDescriptors(fds);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) raw.channel().write(b);
  }

  private DecodeException failure() {
    try {
      Object v = conn.receive();
      throw new AssertionError("received " + v);
    } catch (DecodeException e) {
      return e;
    } catch (IOException e) {
      throw new AssertionError("not a DecodeException", e);
    }
  }

  private void assertFails(long offset, String detail) throws IOException {
    DecodeException e = failure();
    assertThat(e.rule()).isEqualTo(Rule.DESCRIPTOR_SLOT);
    assertThat(e.getMessage()).isEqualTo("descriptor-slot at byte " + offset + ": " + detail);
    assertThatThrownBy(() -> conn.receive())
        .isInstanceOf(IOException.class)
        .hasMessage("unix test: unusable after an earlier receive error");
  }

  @Test
  void descriptorsOnAFrameThatDeclaresNoneEndTheConnection() throws Exception {
    write(frame(0, HI), 2);
    assertFails(0, "2 file descriptors arrived with no frame that declares them");
  }

  @Test
  void aDescriptorOnAByteInsideAFrameArrivesWithNoFrame() throws Exception {
    byte[] f = frame(0, HI);
    write(Arrays.copyOf(f, 6), 0);
    write(Arrays.copyOfRange(f, 6, f.length), 1);
    // The two writes may come in one read or two, so the offset is that of one or the other.
    DecodeException e = failure();
    assertThat(e.detail()).isEqualTo("1 file descriptor arrived with no frame that declares it");
    assertThat(e.offset()).isIn(0L, 6L);
  }

  @Test
  void moreDescriptorsThanTheFrameDeclaresEndTheConnection() throws Exception {
    write(frame(1, hex("81d9ca0300")), 3);
    assertFails(0, "frame declares 1 fd but 3 arrived with it");
  }

  @Test
  void fewerDescriptorsThanTheFrameDeclaresEndTheConnection() throws Exception {
    write(frame(0, HI), 0);
    write(frame(3, hex("81d9ca0300")), 1);
    assertThat(conn.receive()).isEqualTo("hi");
    assertFails(8, "frame declares 3 fds but 1 arrived with it");
  }

  @Test
  void aFrameThatDeclaresDescriptorsButCarriesNoneEndsTheConnection() throws Exception {
    write(frame(2, HI), 0);
    assertFails(0, "frame declares 2 fds but 0 arrived with it");
  }

  @Test
  void aFrameThatDeclaresMoreThanMaxFdsPerFrameEndsTheConnection() throws Exception {
    write(frame(40, HI), 40);
    assertFails(0, "frame declares 40 fds, over maxFdsPerFrame 16");
  }

  @Test
  void moreThanSixtyDescriptorsInOneMessageAreAllReceivedAndClosed() throws Exception {
    // junixsocket's own buffer would take 60 and leak them; the wide buffer takes them all.
    assertThat(AncillaryBuffers.WIDE).as("junixsocket's internals are reachable here").isTrue();
    write(frame(61, HI), 61);
    assertFails(0, "frame declares 61 fds, over maxFdsPerFrame 16");
  }

  @Test
  void theKernelMaximumOfDescriptorsOnAFrameThatDeclaresOneIsCountedAndClosed() throws Exception {
    write(frame(1, hex("81d9ca0300")), AncillaryBuffers.KERNEL_MAX_FDS);
    assertFails(0, "frame declares 1 fd but 253 arrived with it");
  }

  @Test
  void withJunixsocketsNarrowBufferOverSixtyDescriptorsIsAClearError() throws Exception {
    // Trap 5: the kernel installs 60 of them, and junixsocket throws without reporting them.
    conn.close();
    UnixSockets.Pair p = UnixSockets.pair();
    raw.close();
    raw = UnixSockets.channel(p.first());
    conn = UnixTestConnections.withNarrowAncillaryBuffer(UnixSockets.channel(p.second()), UnixLimits.DEFAULT, CBOR);
    Set<Integer> before = devNullFds();
    long count = FdCount.open();
    write(frame(61, HI), 61);
    DecodeException e = failure();
    assertThat(e.getMessage()).isEqualTo("descriptor-slot at byte 0: more than 60 file descriptors"
        + " arrived in one message, over what junixsocket can receive (No buffer space available)");
    assertThat(FdCount.open() - count).as("the descriptors junixsocket could not report").isEqualTo(60);
    // Clean up for the leak check after the test: the strays are the new copies of /dev/null.
    Set<Integer> leaked = devNullFds();
    leaked.removeAll(before);
    assertThat(leaked).hasSize(60);
    for (int n : leaked) Fds.close(FileDescriptorCast.unsafeUsing(n).getFileDescriptor());
  }

  private static Set<Integer> devNullFds() throws IOException {
    Set<Integer> found = new HashSet<>();
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      for (Path f : s.toList()) {
        try {
          if (Files.readSymbolicLink(f).toString().equals("/dev/null")) {
            found.add(Integer.parseInt(f.getFileName().toString()));
          }
        } catch (IOException gone) {
          // closed while listing, e.g. the listing's own descriptor
        }
      }
    }
    return found;
  }

  @Test
  void aSlotClaimedTwiceEndsTheConnection() throws Exception {
    write(frame(1, hex("82" + "d9ca0300" + "d9ca0300")), 1);
    DecodeException e = failure();
    assertThat(e.getMessage()).isEqualTo("descriptor-slot at byte 5: descriptor slot 0 claimed twice");
  }

  @Test
  void aSlotTheFrameDoesNotCarryEndsTheConnection() throws Exception {
    write(frame(1, hex("81" + "d9ca0302")), 1);
    DecodeException e = failure();
    assertThat(e.getMessage())
        .isEqualTo("descriptor-slot at byte 1: descriptor slot 2 but this frame carries 1 file descriptor");
  }

  @Test
  void aDescriptorItemInAFrameWithoutDescriptorsEndsTheConnection() throws Exception {
    write(frame(0, hex("81" + "d9ca0300")), 0);
    DecodeException e = failure();
    assertThat(e.getMessage())
        .isEqualTo("descriptor-slot at byte 1: descriptor slot 0 but no descriptors accompany this data");
  }

  @Test
  void aDescriptorNoValueClaimsIsClosedAndTheMessageStillArrives() throws Exception {
    write(frame(2, hex("81" + "d9ca0301")), 2);
    List<?> got = (List<?>) conn.receive();
    try (Descriptor d = (Descriptor) got.get(0)) {
      assertThat(d.isOpen()).isTrue();
    }
    // The fd count check after the test covers slot 0.
  }

  @Test
  void aStreamThatEndsInsideAFrameWithDescriptorsClosesThem() throws Exception {
    byte[] f = frame(2, hex("82" + "d9ca0300" + "d9ca0301"));
    write(Arrays.copyOf(f, 7), 2);
    raw.close();
    DecodeException e = failure();
    assertThat(e.getMessage()).isEqualTo("truncated at byte 0: stream ended after 2 of the 9 bytes of a frame");
  }

  @Test
  void closingWhileAFrameWithDescriptorsIsStillArrivingClosesThem() throws Exception {
    byte[] f = frame(2, hex("82" + "d9ca0300" + "d9ca0301"));
    write(Arrays.copyOf(f, 7), 2);
    Future<Object> reader = threads.submit(() -> conn.receive());
    Thread.sleep(100); // let it take the descriptors and block for the rest
    conn.close();
    assertThat(reader.get(10, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void descriptorsOfFramesNotYetReadAreClosedWithTheConnection() throws Exception {
    write(frame(0, HI), 0);
    write(frame(1, hex("81d9ca0300")), 1);
    write(frame(1, hex("81d9ca0300")), 1);
    assertThat(conn.receive()).isEqualTo("hi");
    // The next frames' descriptors may already be in hand; closing must release them.
  }
}
