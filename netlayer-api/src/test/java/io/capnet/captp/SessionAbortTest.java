package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeLimits;
import io.capnet.netlayer.Leaks;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every bad input that ends a session, actually sent by a scripted peer; the abort reason is
 * asserted, and a well-behaved session on the same peer must carry on.
 */
@Timeout(20)
class SessionAbortTest {
  static final Bytes NEVER = Bytes.of("never-resolves".getBytes(StandardCharsets.US_ASCII));
  static final Bytes ECHO = Bytes.of("echo".getBytes(StandardCharsets.US_ASCII));

  private final QueueNetwork net = new QueueNetwork(Codec.syrup(DecodeLimits.DEFAULT.withMaxValueBytes(4096)));
  private final List<Peer> peers = new ArrayList<>();
  private Peer server;
  private Ref bystander;

  private Map<Long, String> threadsBefore;
  private long fdsBefore;

  /**
   * A peer made and closed before any baseline, so that what lives once per JVM (PeerImpl's
   * static Cleaner thread, loaded classes' own threads) is in every test's baseline.
   */
  @BeforeAll
  static void warmUp() throws Exception {
    QueueNetwork warm = new QueueNetwork(Codec.syrup(DecodeLimits.DEFAULT));
    Peer.builder().name("warm-up").netlayer(warm.netlayer("warm-up")).build().close();
  }

  @BeforeEach
  void startServer() throws Exception {
    threadsBefore = Leaks.settledThreads();
    fdsBefore = Leaks.openFds();
    server = Peer.builder().name("server").netlayer(net.netlayer("server"))
        .limits(SessionLimits.DEFAULT.withMaxOutstandingQuestions(5).withAbortLinger(java.time.Duration.ofMillis(100)))
        .build();
    peers.add(server);
    Deferred never = server.deferred();
    server.export(server.spawn(a -> never.promise()), NEVER);
    server.export(server.spawn(a -> a), ECHO);
    Peer good = Peer.builder().name("good").netlayer(net.netlayer("good")).build();
    peers.add(good);
    bystander = (Ref) good.enliven(server.locator().sturdyref(ECHO)).future().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void bystanderCarriesOnAndNothingLeaks() throws Exception {
    assertThat(bystander.send("still", "here").future().get(10, TimeUnit.SECONDS))
        .isEqualTo(List.of(new Symbol("still"), "here"));
    peers.forEach(Peer::close);
    // Every thread a session could leave, platform or virtual, whatever its name; and every fd.
    Leaks.assertThreadsReturnTo(threadsBefore);
    Leaks.assertFdsReturnTo(fdsBefore);
  }

  private FakePeer fake() throws Exception {
    return FakePeer.dial(net, "server", "fake").hello();
  }

  @Test
  void unknownOperationAborts() throws Exception {
    try (FakePeer f = fake()) {
      f.send(Record.of("op:frobnicate", 1L));
      assertThat(f.abortReason()).isEqualTo("unknown operation op:frobnicate");
    }
  }

  @Test
  void messageBeforeStartSessionAborts() throws Exception {
    try (FakePeer f = FakePeer.dial(net, "server", "fake")) {
      f.send(Record.of("op:deliver-only", Record.of("desc:export", 0L), List.of()));
      assertThat(f.abortReason()).isEqualTo("expected op:start-session first, got op:deliver-only");
    }
  }

  @Test
  void badLocationSignatureAborts() throws Exception {
    try (FakePeer f = FakePeer.dial(net, "server", "fake")) {
      Record good = f.startSession();
      Record forged = Record.of("op:start-session", good.field(0), good.field(1),
          f.location.withHint("host", "elsewhere").toRecord(), good.field(3));
      f.send(forged);
      assertThat(f.abortReason()).startsWith("bad signature");
    }
  }

  @Test
  void wrongVersionAborts() throws Exception {
    try (FakePeer f = FakePeer.dial(net, "server", "fake")) {
      Record good = f.startSession();
      f.send(Record.of("op:start-session", "0.9", good.field(1), good.field(2), good.field(3)));
      assertThat(f.abortReason()).isEqualTo("unsupported CapTP version \"0.9\"; this peer speaks \"1.0\"");
    }
  }

  @Test
  void secondStartSessionAborts() throws Exception {
    try (FakePeer f = fake()) {
      f.send(f.startSession());
      assertThat(f.abortReason()).isEqualTo("a second op:start-session in one session");
    }
  }

  @Test
  void exportPositionNeverGivenAborts() throws Exception {
    try (FakePeer f = fake()) {
      f.send(Record.of("op:deliver-only", Record.of("desc:export", 99L), List.of()));
      assertThat(f.abortReason()).isEqualTo("export position 99 was never given (desc:export)");
    }
  }

  @Test
  void answerPositionNeverGivenAborts() throws Exception {
    try (FakePeer f = fake()) {
      f.send(Record.of("op:deliver-only", Record.of("desc:answer", 7L), List.of()));
      assertThat(f.abortReason()).isEqualTo("answer position 7 was never given (desc:answer)");
    }
  }

  @Test
  void malformedDescriptorAborts() throws Exception {
    try (FakePeer f = fake()) {
      f.send(Record.of("op:deliver-only", Record.of("desc:export", "five"), List.of()));
      assertThat(f.abortReason()).startsWith("malformed descriptor: <desc:export \"five\">");
    }
  }

  @Test
  void unknownDescriptorInArgumentsAborts() throws Exception {
    try (FakePeer f = fake()) {
      Record echo = f.fetch(ECHO, 1);
      f.send(Record.of("op:deliver-only", echo, List.of(Record.of("desc:bogus", 1L))));
      assertThat(f.abortReason()).isEqualTo("malformed descriptor: unknown descriptor desc:bogus");
    }
  }

  @Test
  void reusedAnswerPositionAborts() throws Exception {
    try (FakePeer f = fake()) {
      Record never = f.fetch(NEVER, 1);
      f.send(Record.of("op:deliver", never, List.of(), 2L, false));
      f.send(Record.of("op:deliver", never, List.of(), 2L, false));
      assertThat(f.abortReason()).isEqualTo("answer position 2 reused while still in use");
    }
  }

  @Test
  void questionFloodPastTheLimitAborts() throws Exception {
    try (FakePeer f = fake()) {
      Record never = f.fetch(NEVER, 1); // fetch is answered at once; 5 more stay open
      for (long pos = 2; pos <= 7; pos++) f.send(Record.of("op:deliver", never, List.of(), pos, false));
      assertThat(f.abortReason()).isEqualTo("more than 5 outstanding questions in one session");
    }
  }

  @Test
  void frameOverTheSizeLimitAborts() throws Exception {
    try (FakePeer f = fake()) {
      f.send(Record.of("op:deliver-only", Record.of("desc:export", 0L), List.of("x".repeat(5000))));
      assertThat(f.abortReason()).startsWith("malformed or oversized frame:").contains("4096");
    }
  }

  @Test
  void garbageFrameAborts() throws Exception {
    try (FakePeer f = fake()) {
      f.pipe.sendRaw("<3'op:deliver-only".getBytes(StandardCharsets.US_ASCII));
      assertThat(f.abortReason()).startsWith("malformed or oversized frame:");
    }
  }

  @Test
  void malformedIndexOperandAborts() throws Exception {
    try (FakePeer f = fake()) {
      f.send(Record.of("op:index", Record.of("desc:export", 0L), "first", 3L));
      assertThat(f.abortReason()).isEqualTo("malformed message: op:index takes an Integer index, got string");
    }
  }

  @Test
  void nonRecordMessageAborts() throws Exception {
    try (FakePeer f = fake()) {
      f.send(List.of(1L, 2L));
      assertThat(f.abortReason()).isEqualTo("a CapTP message must be an operation record, got list");
    }
  }

  @Test
  void gcOfAPositionNeverGivenAborts() throws Exception {
    try (FakePeer f = fake()) {
      f.send(Record.of("op:gc-export", List.of(42L), List.of(1L)));
      assertThat(f.abortReason()).isEqualTo("op:gc-export of export position 42, which was never given");
    }
  }

  @Test
  void peerAbortBreaksItsReferencesWithTheReason() throws Exception {
    java.util.concurrent.CompletableFuture<Object> broken = new java.util.concurrent.CompletableFuture<>();
    Bytes keeperSwiss = Bytes.of((byte) 1, (byte) 2);
    server.export(server.spawn(a -> {
      ((Ref) a.get(0)).whenBroken(broken::complete);
      return true;
    }), keeperSwiss);
    try (FakePeer f = fake()) {
      Record keeper = f.fetch(keeperSwiss, 1);
      f.send(Record.of("op:deliver", keeper, List.of(Record.of("desc:import-object", 3L)), 2L, false));
      f.send(Record.of("op:abort", "fake is leaving"));
      assertThat(broken.get(10, TimeUnit.SECONDS))
          .isEqualTo(new io.capnet.value.OcapnError("the peer aborted the session: fake is leaving"));
    }
  }
}
