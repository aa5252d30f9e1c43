package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Connection;
import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.UnixConnections;
import io.capnet.unix.UnixLimits;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import io.capnet.value.Descriptor;
import io.capnet.value.Record;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad clients of the daemon, speaking raw frames: each loses its own session with a reason, and
 * the daemon, its other clients and its fd count carry on.
 */
@Timeout(60)
class SwitchboardAbuseTest {
  private Path dir;
  private SwitchboardDaemon daemon;
  private Switchboard bystander;

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("capnet-abuse-");
    daemon = SwitchboardDaemon.builder().socketPath(dir.resolve("sb.sock")).start();
    bystander = Switchboard.open(daemon.socketPath());
    bystander.serve(Labels.of("svc", "bystander"), i -> i.socket().close());
  }

  @AfterEach
  void stop() throws Exception {
    bystander.close();
    daemon.close();
    Files.deleteIfExists(dir);
  }

  static long openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  private void assertDaemonCarriesOn(long fdBaseline) throws Exception {
    bystander.connect(Labels.of("svc", "bystander")).socket().close();
    try (Switchboard fresh = Switchboard.open(daemon.socketPath())) {
      assertThat(fresh.list(Labels.empty())).hasSize(1);
    }
    long now = openFds();
    for (int i = 0; i < 200 && now > fdBaseline; i++) {
      Thread.sleep(25);
      now = openFds();
    }
    assertThat(now).as("open fds (baseline %d)", fdBaseline).isLessThanOrEqualTo(fdBaseline);
  }

  /** Reads frames until the daemon closes; returns its op:abort reason. */
  private static String abortReason(Connection c) throws Exception {
    String reason = null;
    try {
      for (Object m; (m = c.receive()) != null; ) {
        if (m instanceof Record r && r.hasLabel("op:abort")) reason = (String) r.field(0);
      }
    } catch (IOException e) {
      // a reset after the abort is fine
    }
    return reason;
  }

  private Connection rawConnection(UnixLimits limits) throws IOException {
    return UnixConnections.over(UnixSockets.connect(daemon.socketPath()), limits, Codec.cbor(), "abuser");
  }

  /** Fetches the connection's own handle; it is answer position 1 from here on. */
  private static void fetchOwnHandleAtAnswer1(Connection c) throws IOException {
    c.send(Codec.cbor().encode(Record.of("op:deliver", Record.of("desc:export", 0L),
        List.of(new io.capnet.value.Symbol("fetch"), io.capnet.unix.SwitchboardProtocol.CONNECTION_HANDLE), 1L,
        false)), List.of());
  }

  /** Ends the session from our side: the daemon must not have aborted it before. */
  private static void endWithOurAbort(Connection c) throws IOException {
    c.send(Codec.cbor().encode(Record.of("op:abort", "done")), List.of());
    c.flush();
  }

  private static void hello(Connection c) throws IOException {
    KeyPair keys = SessionKeys.generate();
    Record loc = PeerLocator.of("abuser" + System.nanoTime(), "unix").toRecord();
    Record start = Record.of("op:start-session", "1.0", SessionKeys.publicKeyValue(SessionKeys.raw(keys.getPublic())),
        loc, SessionKeys.sign(keys.getPrivate(), Codec.syrup().encode(Record.of("my-location", loc))));
    c.send(Codec.cbor().encode(start), List.of());
    c.flush();
  }

  @Test
  void clientSpeakingAnotherProtocolIsToldWhyAndDisconnected() throws Exception {
    long baseline = openFds();
    try (UnixSocket s = UnixSockets.connect(daemon.socketPath())) {
      s.channel().write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer all = ByteBuffer.allocate(1 << 16);
      try {
        while (s.channel().read(all) > 0) {}
      } catch (IOException e) {
        // reset after the abort
      }
      String seen = new String(all.array(), 0, all.position(), StandardCharsets.ISO_8859_1);
      assertThat(seen).contains("op:abort").contains("over maxValueBytes");
    }
    assertDaemonCarriesOn(baseline);
  }

  @Test
  void malformedFrameEndsOnlyThatSession() throws Exception {
    long baseline = openFds();
    try (Connection c = rawConnection(UnixLimits.DEFAULT)) {
      hello(c);
      // A frame whose CBOR body is a truncated map.
      c.send(new byte[] {(byte) 0xa2, 0x61}, List.of());
      c.flush();
      assertThat(abortReason(c)).startsWith("malformed or oversized frame");
    }
    assertDaemonCarriesOn(baseline);
  }

  @Test
  void forgedExportPositionEndsOnlyThatSession() throws Exception {
    long baseline = openFds();
    try (Connection c = rawConnection(UnixLimits.DEFAULT)) {
      hello(c);
      c.send(Codec.cbor().encode(Record.of("op:deliver", Record.of("desc:export", 77L),
          List.of(new io.capnet.value.Symbol("connect"), java.util.Map.of()), false, false)), List.of());
      c.flush();
      assertThat(abortReason(c)).contains("77");
    }
    assertDaemonCarriesOn(baseline);
  }

  @Test
  void tooManyFdsInOneFrameEndTheSessionAndAreClosed() throws Exception {
    long baseline = openFds();
    List<Descriptor> fds = new ArrayList<>();
    try (Connection c = rawConnection(UnixLimits.DEFAULT.withMaxFdsPerFrame(40))) {
      hello(c);
      for (int i = 0; i < 20; i++) fds.add(Descriptor.adopt(devNull()));
      byte[] body = Codec.cbor().encode(Record.of("op:gc-answers", List.of()));
      c.send(body, fds);
      c.flush();
      fds.forEach(Descriptor::close);
      assertThat(abortReason(c)).contains("20").contains("maxFdsPerFrame 16");
    }
    assertDaemonCarriesOn(baseline);
  }

  private static FileDescriptor devNull() throws IOException {
    return new java.io.FileOutputStream("/dev/null").getFD();
  }

  /** Sends {@code message} with {@code n} fresh /dev/null descriptors in it as Descriptor values. */
  private static void sendWithDescriptors(Connection c, int n, java.util.function.Function<List<Object>, Object> message)
      throws IOException {
    List<Object> descs = new ArrayList<>();
    for (int i = 0; i < n; i++) descs.add(Descriptor.adopt(devNull()));
    List<Descriptor> attached = new ArrayList<>();
    byte[] body = Codec.cbor().encode(message.apply(descs), io.capnet.codec.EncodeContext.attachingTo(attached));
    c.send(body, attached);
    c.flush();
    attached.forEach(Descriptor::close); // ours; the daemon holds its own copies, or nothing
  }

  @Test
  void descriptorsInMessagesSentBeforeStartSessionAreAllClosed() throws Exception {
    // The attack of issue 12 #1: no handle needed, only a connection to the socket.
    long baseline = openFds();
    for (int conn = 0; conn < 2; conn++) {
      try (Connection c = rawConnection(UnixLimits.DEFAULT)) {
        for (int i = 0; i < 100; i++) {
          try {
            sendWithDescriptors(c, 16, d -> Record.of("op:deliver", Record.of("desc:export", 0L), d, false, false));
          } catch (IOException e) {
            break; // the daemon has closed: what it already read is what counts
          }
        }
        assertThat(abortReason(c)).startsWith("expected op:start-session first");
      }
    }
    assertDaemonCarriesOn(baseline);
  }

  @Test
  void descriptorsInAMessageToAForgedExportAreClosed() throws Exception {
    long baseline = openFds();
    try (Connection c = rawConnection(UnixLimits.DEFAULT)) {
      hello(c);
      sendWithDescriptors(c, 16, d -> Record.of("op:deliver", Record.of("desc:export", 77L), d, false, false));
      assertThat(abortReason(c)).contains("77");
    }
    assertDaemonCarriesOn(baseline);
  }

  @Test
  void descriptorsInFetchArgumentsAreClosedAndTheSessionGoesOn() throws Exception {
    long baseline = openFds();
    try (Connection c = rawConnection(UnixLimits.DEFAULT)) {
      hello(c);
      for (int i = 0; i < 50; i++) {
        sendWithDescriptors(c, 16, d -> {
          List<Object> args = new ArrayList<>(List.of(new io.capnet.value.Symbol("fetch"),
              io.capnet.value.Bytes.of((byte) 1)));
          args.addAll(d);
          return Record.of("op:deliver-only", Record.of("desc:export", 0L), args);
        });
      }
      endWithOurAbort(c);
    }
    assertDaemonCarriesOn(baseline);
  }

  @Test
  void descriptorsInMessagesThatArriveAfterTheSessionEndedAreClosed() throws Exception {
    long baseline = openFds();
    try (Connection c = rawConnection(UnixLimits.DEFAULT)) {
      hello(c);
      // A forged position ends the session; the frames behind it are drained while it lingers.
      c.send(Codec.cbor().encode(Record.of("op:deliver-only", Record.of("desc:export", 99L), List.of())), List.of());
      for (int i = 0; i < 50; i++) {
        try {
          sendWithDescriptors(c, 16, d -> Record.of("op:deliver-only", Record.of("desc:export", 0L), d));
        } catch (IOException e) {
          break;
        }
      }
      assertThat(abortReason(c)).contains("99");
    }
    assertDaemonCarriesOn(baseline);
  }

  @Test
  void descriptorsSentAsExtraArgumentsToAHandleAreClosed() throws Exception {
    long baseline = openFds();
    try (Connection c = rawConnection(UnixLimits.DEFAULT)) {
      hello(c);
      // The connection's own handle, fetched at answer 1, then sent descriptors where none belong.
      fetchOwnHandleAtAnswer1(c);
      for (int i = 0; i < 20; i++) {
        sendWithDescriptors(c, 8, d -> {
          List<Object> args = new ArrayList<>(List.of(new io.capnet.value.Symbol("rights")));
          args.addAll(d);
          return Record.of("op:deliver-only", Record.of("desc:answer", 1L), args);
        });
      }
      endWithOurAbort(c);
    }
    assertDaemonCarriesOn(baseline);
  }

  @Test
  void aConnectThatWantsNoAnswerLeavesNoSocketEndInTheDaemonAndTheServerSeesItsEnd() throws Exception {
    java.util.concurrent.BlockingQueue<Switchboard.Introduction> arrived = new java.util.concurrent.LinkedBlockingQueue<>();
    long baseline = openFds();
    try (Switchboard server = Switchboard.open(daemon.socketPath())) {
      server.serve(Labels.of("svc", "probe"), arrived::add);
      try (Connection c = rawConnection(UnixLimits.DEFAULT)) {
        hello(c);
        fetchOwnHandleAtAnswer1(c);
        // Nobody will receive the client's end of the pair.
        c.send(Codec.cbor().encode(Record.of("op:deliver-only", Record.of("desc:answer", 1L),
            List.of(new io.capnet.value.Symbol("connect"), java.util.Map.of("svc", "probe")))), List.of());
        c.flush();
        Switchboard.Introduction intro = arrived.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(intro).as("the server is introduced").isNotNull();
        try (Descriptor end = intro.socket(); java.nio.channels.SocketChannel ch = org.newsclub.net.unix.FileDescriptorCast
            .using(end.fileDescriptor()).as(java.nio.channels.SocketChannel.class)) {
          ch.configureBlocking(true);
          var read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
              return ch.read(ByteBuffer.allocate(16));
            } catch (IOException e) {
              return -2;
            }
          });
          assertThat(read.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("the other end is closed: EOF").isEqualTo(-1);
        }
        endWithOurAbort(c);
      }
    }
    assertDaemonCarriesOn(baseline);
  }

  @Test
  void aFrameOver64KiBBeforeStartSessionIsRefusedButOneAfterItIsNot() throws Exception {
    long baseline = openFds();
    try (Connection c = rawConnection(UnixLimits.DEFAULT)) {
      c.send(Codec.cbor().encode(io.capnet.value.Bytes.of(new byte[100_000])), List.of());
      c.flush();
      assertThat(abortReason(c)).startsWith("malformed or oversized frame: value-too-large")
          .contains("over the limit before op:start-session of 65536");
    }
    try (Connection c = rawConnection(UnixLimits.DEFAULT)) {
      hello(c);
      c.send(Codec.cbor().encode(Record.of("op:deliver-only", Record.of("desc:export", 0L),
          List.of(new io.capnet.value.Symbol("fetch"), io.capnet.value.Bytes.of(new byte[100_000])))), List.of());
      endWithOurAbort(c);
      assertThat(abortReason(c)).as("the daemon did not abort: our own abort ended it").isNull();
    }
    assertDaemonCarriesOn(baseline);
  }

  @Test
  void descriptorsSentWithTheBodyOfAnUnfinishedFrameEndTheSessionAtOnceAndAreClosed() throws Exception {
    long baseline = openFds();
    UnixSocket s = UnixSockets.connect(daemon.socketPath());
    try (Connection c = UnixConnections.over(s, UnixLimits.DEFAULT, Codec.cbor(), "abuser")) {
      hello(c);
      // A header for 60,000 bytes that declares no fds, then body bytes that each carry 16.
      ByteBuffer header = ByteBuffer.allocate(5 + 10).putInt(60_000).put((byte) 0).put(new byte[10]).flip();
      s.channel().write(header);
      List<java.io.FileOutputStream> opened = new ArrayList<>();
      try {
        // One write that carries descriptors is enough: the session ends at it. (More writes would
        // be left unread when it closes, and the kernel would reset the connection, op:abort and all.)
        for (int i = 0; i < 1; i++) {
          java.io.FileDescriptor[] fds = new java.io.FileDescriptor[16];
          for (int k = 0; k < fds.length; k++) {
            java.io.FileOutputStream f = new java.io.FileOutputStream("/dev/null");
            opened.add(f);
            fds[k] = f.getFD();
          }
          s.channel().setOutboundFileDescriptors(fds);
          try {
            s.channel().write(ByteBuffer.wrap(new byte[10]));
          } catch (IOException e) {
            break; // the daemon has closed
          }
        }
      } finally {
        for (java.io.FileOutputStream f : opened) f.close();
      }
      // Whether the kernel hands the fds over with the header's read or a later one decides which.
      assertThat(abortReason(c)).contains("descriptor-slot").containsAnyOf(
          "16 file descriptors arrived with the body of an unfinished frame", "frame declares 0 fds but 16 arrived with it");
    }
    assertDaemonCarriesOn(baseline);
  }
}
