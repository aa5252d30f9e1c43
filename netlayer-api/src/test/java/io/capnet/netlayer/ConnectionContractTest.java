package io.capnet.netlayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import io.capnet.codec.DecodeLimits;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import io.capnet.value.Values;
import java.io.Closeable;
import io.capnet.codec.EncodeContext;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Connection} must do, whatever carries it. A subclass supplies connected
 * pairs; every test runs against each transport.
 */
abstract class ConnectionContractTest {
  static final Record DELIVER = Record.of("op:deliver", Record.of("desc:export", 5L),
      List.of(new Symbol("go"), "red", 42L), 3L, Record.of("desc:import-object", 17L));

  /** Limits small enough to test cheaply, for transports that can take custom limits. */
  static final DecodeLimits SMALL = DecodeLimits.DEFAULT.withMaxValueBytes(64 * 1024);

  /** A connected pair; {@link #close()} releases everything the factory made. */
  protected record Pair(Connection client, Connection server, Closeable resources) implements Closeable {
    @Override
    public void close() throws IOException {
      try (resources; client; server) {
        // close all three, keeping the first failure
      }
    }
  }

  /**
   * A connected pair whose receivers apply {@code limits}, or the transport's own limits where it
   * cannot take others (tests read the limits in force from {@code codec().limits()}).
   */
  protected abstract Pair open(DecodeLimits limits) throws Exception;

  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private Pair pair;

  private Pair pair(DecodeLimits limits) throws Exception {
    pair = open(limits);
    return pair;
  }

  /** Closes the pair now; for subclasses whose @AfterEach runs before this class's. */
  protected final void closePair() throws Exception {
    Pair p = pair;
    pair = null;
    if (p != null) p.close();
  }

  @AfterEach
  void closePairAndThreads() throws Exception {
    try {
      closePair();
    } finally {
      threads.shutdownNow();
    }
  }

  <T> Future<T> async(Callable<T> task) {
    return threads.submit(task);
  }

  static void send(Connection c, Object... values) throws IOException {
    for (Object v : values) c.send(c.codec().encode(v), List.of());
    c.flush();
  }

  static void assertReceives(Connection c, Object... expected) throws IOException {
    for (Object e : expected) {
      Object got = c.receive();
      assertThat(Values.equal(got, e)).as("received %s, expected %s", describe(got), describe(e)).isTrue();
    }
  }

  private static String describe(Object v) {
    return v == null ? "null" : Values.describe(v, 200);
  }

  static final Object[] SAMPLES = {
    DELIVER,
    Record.of("op:deliver-only", Record.of("desc:export", 0L), List.of(new Symbol("fetch"), Bytes.of((byte) 1, (byte) 2))),
    List.of(1L, "two", new Symbol("three"), List.of(), List.of(List.of(Null.NULL))),
    Map.of("name", "alice", "age", 42L, "tags", List.of("a", "b")),
    Bytes.of(new byte[] {0, (byte) 0xff, '<', '>', ':', '"'}),
    Bytes.EMPTY,
    new BigInteger("123456789012345678901234567890123456789"),
    new BigInteger("-98765432109876543210987654321"),
    Long.MIN_VALUE,
    0L,
    "",
    "héllo wörld ☃",
    true,
    -2.5,
  };

  @Test
  @Timeout(30)
  void messagesArriveInOrderAndEqualToWhatWasSent() throws Exception {
    Pair p = pair(SMALL);
    send(p.client(), SAMPLES);
    assertReceives(p.server(), SAMPLES);
    send(p.server(), SAMPLES);
    assertReceives(p.client(), SAMPLES);
  }

  @Test
  @Timeout(60)
  void tenThousandMessagesArriveInOrderWithSenderAndReceiverOnDifferentThreads() throws Exception {
    Pair p = pair(SMALL);
    int n = 10_000;
    Future<Void> sender = async(() -> {
      for (long i = 0; i < n; i++) {
        p.client().send(p.client().codec().encode(Record.of("op:deliver-only", i, "message")), List.of());
        if (i % 97 == 0) p.client().flush();
      }
      p.client().flush();
      p.client().close();
      return null;
    });
    for (long i = 0; i < n; i++) {
      Object got = p.server().receive();
      assertThat(got).isInstanceOf(Record.class);
      assertThat(((Record) got).field(0)).isEqualTo(i);
    }
    assertThat(p.server().receive()).isNull();
    sender.get(30, TimeUnit.SECONDS);
  }

  /** A ByteArray whose encoding in {@code codec} is exactly {@code size} bytes. */
  static Bytes encodingOfSize(Codec codec, int size) {
    int n = size;
    for (int i = 0; i < 5; i++) {
      int overhead = codec.encode(Bytes.of(new byte[Math.max(n, 0)])).length - Math.max(n, 0);
      n = size - overhead;
    }
    Bytes b = Bytes.of(new byte[n]);
    assertThat(codec.encode(b)).hasSize(size);
    return b;
  }

  @Test
  @Timeout(60)
  void aMessageAtTheSizeLimitArrives() throws Exception {
    Pair p = pair(SMALL);
    int max = p.server().codec().limits().maxValueBytes();
    Bytes atLimit = encodingOfSize(p.client().codec(), max);
    Future<Void> sender = async(() -> {
      send(p.client(), atLimit, "after");
      return null;
    });
    assertReceives(p.server(), atLimit, "after");
    sender.get(30, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(60)
  void aMessageOverTheSizeLimitFailsWithValueTooLarge() throws Exception {
    Pair p = pair(SMALL);
    int max = p.server().codec().limits().maxValueBytes();
    Bytes overLimit = encodingOfSize(p.client().codec(), max + 1);
    // The receiver stops reading at the limit, so the rest may never leave the sender.
    async(() -> {
      send(p.client(), overLimit);
      return null;
    });
    assertThatThrownBy(() -> p.server().receive())
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.rule()).isEqualTo(Rule.VALUE_TOO_LARGE));
  }

  @Test
  @Timeout(30)
  void cleanCloseGivesNullAfterWhatWasSent() throws Exception {
    Pair p = pair(SMALL);
    send(p.client(), DELIVER, "last");
    p.client().close();
    assertReceives(p.server(), DELIVER, "last");
    assertThat(p.server().receive()).isNull();
    assertThat(p.server().receive()).isNull();
  }

  @Test
  @Timeout(30)
  void closeFromAnotherThreadUnblocksABlockedReceive() throws Exception {
    Pair p = pair(SMALL);
    Future<Object> receiver = async(() -> p.server().receive());
    Thread.sleep(100); // let it block; the outcome is the same if it has not yet
    p.server().close();
    assertThat(receiver.get(10, TimeUnit.SECONDS)).isNull();
  }

  @Test
  @Timeout(60)
  void closeFromAnotherThreadUnblocksABlockedSend() throws Exception {
    Pair p = pair(SMALL);
    byte[] chunk = p.client().codec().encode(Bytes.of(new byte[Math.min(16 * 1024, p.server().codec().limits().maxValueBytes() / 2)]));
    AtomicLong sent = new AtomicLong();
    Future<Void> sender = async(() -> {
      while (true) {
        p.client().send(chunk, List.of());
        p.client().flush();
        sent.incrementAndGet();
      }
    });
    // Nobody reads, so the sender soon blocks: wait until it stops making progress.
    long last = -1;
    while (sent.get() != last) {
      last = sent.get();
      Thread.sleep(200);
    }
    p.client().close();
    assertThatThrownBy(() -> sender.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IOException.class);
  }

  @Test
  @Timeout(30)
  void garbageBytesGiveADecodeException() throws Exception {
    Pair p = pair(SMALL);
    p.client().send(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, '}'}, List.of());
    p.client().flush();
    assertThatThrownBy(() -> p.server().receive()).isInstanceOf(DecodeException.class);
  }

  @Test
  @Timeout(30)
  void aStreamThatEndsInsideAMessageIsTruncated() throws Exception {
    Pair p = pair(SMALL);
    byte[] whole = p.client().codec().encode(DELIVER);
    p.client().send(Arrays.copyOf(whole, whole.length / 2), List.of());
    p.client().flush();
    p.client().close();
    assertThatThrownBy(() -> p.server().receive())
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.rule()).isEqualTo(Rule.TRUNCATED));
  }

  @Test
  @Timeout(30)
  void sendAfterCloseThrows() throws Exception {
    Pair p = pair(SMALL);
    p.client().close();
    assertThatThrownBy(() -> send(p.client(), DELIVER)).isInstanceOf(IOException.class);
  }

  @Test
  @Timeout(30)
  void closeIsIdempotentAndReceiveAfterLocalCloseIsNull() throws Exception {
    Pair p = pair(SMALL);
    p.server().close();
    p.server().close();
    assertThat(p.server().receive()).isNull();
  }

  /** Whether this transport carries file descriptors; the ones that do override this. */
  protected boolean carriesDescriptors() {
    return false;
  }

  @Test
  @Timeout(30)
  void descriptorsAreRefusedWhereNotSupported() throws Exception {
    Pair p = pair(SMALL);
    assertThat(p.client().supports(NetlayerCapability.DESCRIPTORS)).isEqualTo(carriesDescriptors());
    assumeFalse(carriesDescriptors(), "this transport carries descriptors");
    try (FileInputStream devNull = new FileInputStream("/dev/null")) {
      Descriptor d = Descriptor.adopt(devNull.getFD());
      assertThatThrownBy(() -> p.client().send(p.client().codec().encode("x"), List.of(d)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot carry file descriptors");
    }
    // The refused send wrote nothing: the connection still works.
    send(p.client(), "still fine");
    assertReceives(p.server(), "still fine");
  }

  @Test
  @Timeout(30)
  void aPassedDescriptorArrivesAsANewFdOnTheSameOpenFile(@TempDir Path dir) throws Exception {
    Pair p = pair(SMALL);
    assertThat(p.client().supports(NetlayerCapability.DESCRIPTORS)).isEqualTo(carriesDescriptors());
    assumeTrue(carriesDescriptors(), "this transport carries no descriptors");
    Path file = Files.createFile(dir.resolve("shared"));
    try (FileOutputStream out = new FileOutputStream(file.toFile(), true)) {
      List<Descriptor> attached = new ArrayList<>();
      byte[] bytes = p.client().codec().encode(Record.of("file", Descriptor.adopt(out.getFD())),
          EncodeContext.attachingTo(attached));
      p.client().send(bytes, attached);
      p.client().flush();
      Set<String> before = fdNumbers();
      Record r = (Record) p.server().receive();
      Set<String> arrived = fdNumbers();
      arrived.removeAll(before);
      // SCM_RIGHTS installs one new fd in this process; /proc's link for it stats (fstat-like)
      // the open file itself, whatever its name.
      assertThat(arrived).as("fds that arrived with the message").hasSize(1);
      Path proc = Path.of("/proc/self/fd", arrived.iterator().next());
      assertThat(Files.getAttribute(proc, "unix:ino")).isEqualTo(Files.getAttribute(file, "unix:ino"));
      assertThat(Files.getAttribute(proc, "unix:dev")).isEqualTo(Files.getAttribute(file, "unix:dev"));
      try (Descriptor got = (Descriptor) r.field(0);
          FileOutputStream through = new FileOutputStream(got.fileDescriptor())) {
        through.write("written through the passed fd".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
    assertThat(Files.readString(file)).isEqualTo("written through the passed fd");
  }

  /** This process's open fds, less the one the listing itself used. */
  private static Set<String> fdNumbers() throws IOException {
    Set<String> fds;
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      fds = s.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
    }
    fds.removeIf(n -> !Files.exists(Path.of("/proc/self/fd", n), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    return fds;
  }
}
