package io.capnet.switchboard;

import static io.capnet.switchboard.DraftTextPeer.location;
import static io.capnet.switchboard.DraftTextPeer.sigVal;
import static io.capnet.switchboard.DraftTextPeer.sign;
import static io.capnet.switchboard.DraftTextPeer.sym;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.captp.SessionLimits;
import io.capnet.codec.Codec;
import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.Uds;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * The Switchboard's side of the introduction protocol (spec/uds.md section 5), against a peer
 * written from the draft's text: each step, and each bad input with its exact refusal, the
 * daemon's descriptors (this JVM's) back to where they were, and another client still served.
 */
@Timeout(60)
class UdsSwitchboardTest {
  private SwitchboardFixture fx;
  private SwitchboardDaemon daemon;
  private Switchboard bystander;
  private final List<AutoCloseable> peers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fx = new SwitchboardFixture();
    daemon = fx.daemon("sb", b -> b.udsSignatureForm(Uds.SignatureForm.DRAFT)
        .sessionLimits(SessionLimits.DEFAULT.withStartTimeout(Duration.ofSeconds(3))));
    bystander = fx.client(daemon);
    bystander.serve(Labels.of("svc", "bystander"), i -> i.socket().close());
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable p : peers.reversed()) p.close();
    fx.close();
  }

  private DraftTextPeer peer() throws IOException {
    DraftTextPeer p = new DraftTextPeer(daemon.socketPath());
    peers.add(p);
    return p;
  }

  private DraftTextPeer registered() throws Exception {
    DraftTextPeer p = peer();
    Bytes serverKey = p.handshake();
    assertThat(io.capnet.locator.Designators.ofEd25519(serverKey)).isEqualTo(daemon.designator());
    for (int i = 0; i < 200 && listed(p.designator).isEmpty(); i++) Thread.sleep(10);
    return p;
  }

  /** A socket pair from UnixSockets (junixsocket's own pair leaks two fds per call): one end kept, one to hand. */
  record Ends(UnixSocket kept, io.capnet.value.Descriptor handed) {
    static Ends open() throws IOException {
      UnixSockets.Pair p = UnixSockets.pair();
      return new Ends(UnixSockets.channel(p.first()), p.second());
    }

    java.io.InputStream in() {
      return java.nio.channels.Channels.newInputStream(kept.channel());
    }
  }

  /** The listed registrations whose ocapn_designator is {@code d} (a filter would also match label sets without the key). */
  private List<Labels> listed(String d) throws Exception {
    return bystander.list(Labels.empty()).stream()
        .filter(l -> l.get("ocapn_designator").equals(java.util.Optional.of(d))).toList();
  }

  static long openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  /** The refusal a misbehaving connection gets: <uds:abort reason>, then the end of the stream. */
  private static void assertAborted(DraftTextPeer p, String reason) throws IOException {
    Object v = p.read();
    assertThat(v).isEqualTo(new Record(sym("uds:abort"), List.of(reason)));
    assertThat(p.read()).as("end of stream after the abort").isNull();
  }

  /** Nothing left behind, and the Switchboard still serves its own clients. */
  private void assertCarriesOn(long baseline) throws Exception {
    for (AutoCloseable p : peers.reversed()) p.close();
    peers.clear();
    bystander.connect(Labels.of("svc", "bystander")).socket().close();
    try (Switchboard fresh = Switchboard.open(daemon.socketPath())) {
      assertThat(fresh.list(Labels.empty())).hasSize(1);
    }
    long now = openFds();
    for (int i = 0; i < 200 && now > baseline; i++) {
      Thread.sleep(25);
      now = openFds();
    }
    assertThat(now).as("open fds (baseline %d)", baseline).isLessThanOrEqualTo(baseline);
    assertThat(daemon.udsRegistrations()).isZero();
  }

  @Test
  void twoDraftPeersRegisterAndOneIntroducesARealSocketToTheOther() throws Exception {
    long baseline = openFds();
    DraftTextPeer a = registered();
    DraftTextPeer b = registered();

    List<Labels> listed = listed(a.designator);
    assertThat(listed).hasSize(1);
    Map<String, String> labels = listed.get(0).asMap();
    assertThat(labels).containsEntry("ocapn_designator", a.designator)
        .containsEntry("server_pid", Long.toString(ProcessHandle.current().pid()))
        .containsKeys("server_uid", "server_gid").hasSize(4);
    assertThat(daemon.udsRegistrations()).isEqualTo(2);

    // Introductions only: the Switchboard's own connect cannot reach a draft peer.
    assertThatThrownBy(() -> bystander.connect(Labels.of("ocapn_designator", a.designator, "svc", "none")))
        .isInstanceOf(SwitchboardException.class)
        .hasMessage("PERMISSION_DENIED: labels {\"ocapn_designator\":\"" + a.designator + "\",\"svc\":\"none\"} match only a"
            + " unix-domain-socket peer, which is reached only through uds:new-connection (spec/uds.md)");

    Ends pair = Ends.open();
    Record intro = new Record(sym("uds:new-connection"), List.of(a.location(), location(b.designator, daemon.designator())));
    byte[] introBytes = Codec.syrup().encode(intro);
    a.sendRaw(introBytes);
    a.sendFds(new byte[] {0x39, 0x30, 0, 0}, pair.handed.fileDescriptor()); // a 4-byte body, as Goblins sends
    pair.handed.close();

    assertThat(b.read()).as("B gets the same record").isEqualTo(intro);
    b.skip(1);
    assertThat(b.received).hasSize(1);
    AFUNIXSocketChannel handed = FileDescriptorCast.using(b.received.get(0)).as(AFUNIXSocketChannel.class);
    pair.kept.channel().write(ByteBuffer.wrap("ping".getBytes()));
    ByteBuffer got = ByteBuffer.allocate(4);
    while (got.hasRemaining()) handed.read(got);
    assertThat(new String(got.array())).isEqualTo("ping");
    handed.close();
    pair.kept.close();

    a.close();
    for (int i = 0; i < 200 && daemon.udsRegistrations() > 1; i++) Thread.sleep(10);
    assertThat(listed(a.designator)).as("A departed").isEmpty();
    assertCarriesOn(baseline);
  }

  @Test
  void theGoblinsFormIsABareSigValAndAGoblinsSignatureIsAccepted() throws Exception {
    SwitchboardDaemon g = fx.daemon("goblins", b -> {});
    warm(g);
    long baseline = openFds();
    try (DraftTextPeer p = new DraftTextPeer(g.socketPath())) {
      byte[] mine = p.register();
      Record resp = (Record) p.read();
      assertThat(resp.field(2)).as("a bare sig-val, as Goblins reads it").isInstanceOf(List.class)
          .isEqualTo(sigVal(DraftTextPeer.rawSig(resp.field(2))));
      Bytes challenge = (Bytes) resp.field(1);
      // Goblins answers with the 64 raw bytes.
      p.send(new Record(sym("uds:signature"), List.of(challenge, Bytes.of(sign(p.key, challenge.toByteArray())))));
      for (int i = 0; i < 200 && g.udsRegistrations() == 0; i++) Thread.sleep(10);
      assertThat(g.udsRegistrations()).isEqualTo(1);
      assertThat(mine).hasSize(32);
    }
    for (int i = 0; i < 200 && g.udsRegistrations() > 0; i++) Thread.sleep(10);
    assertThat(g.udsRegistrations()).isZero();
    long now = openFds();
    for (int i = 0; i < 200 && now > baseline; i++) {
      Thread.sleep(25);
      now = openFds();
    }
    assertThat(now).isLessThanOrEqualTo(baseline);
  }

  @Test
  void aWrongSignatureIsRefused() throws Exception {
    long baseline = openFds();
    DraftTextPeer p = peer();
    p.register();
    Record resp = (Record) p.read();
    Bytes challenge = (Bytes) resp.field(1);
    byte[] forged = sign(DraftTextPeer.newKey(), challenge.toByteArray());
    p.send(new Record(sym("uds:signature"), List.of(challenge, sigVal(forged))));
    assertAborted(p, "uds:signature does not verify with the key of the designator " + p.designator);
    assertCarriesOn(baseline);
  }

  @Test
  void aChallengeOfAnotherConnectionIsRefused() throws Exception {
    long baseline = openFds();
    DraftTextPeer first = peer();
    first.register();
    Bytes old = (Bytes) ((Record) first.read()).field(1);
    DraftTextPeer second = new DraftTextPeer(daemon.socketPath(), first.key);
    peers.add(second);
    second.register();
    second.read();
    // A valid signature by the right key, over the first connection's challenge.
    second.send(new Record(sym("uds:signature"), List.of(old, sigVal(sign(first.key, old.toByteArray())))));
    assertAborted(second, "uds:signature signs a payload that is not the server-challenge sent on this connection"
        + " (a challenge is good for one connection and one answer)");
    assertCarriesOn(baseline);
  }

  @Test
  void anIntroductionToAnUnknownPeerIsRefusedOnTheHandedSocketAndTheConnectionStays() throws Exception {
    long baseline = openFds();
    DraftTextPeer a = registered();
    DraftTextPeer b = registered();
    String nobody = io.capnet.locator.Designators.ofEd25519(DraftTextPeer.newKey().getPublic());
    Ends pair = Ends.open();
    a.send(new Record(sym("uds:new-connection"), List.of(a.location(), location(nobody, daemon.designator()))));
    a.sendFds(new byte[] {0}, pair.handed.fileDescriptor());
    pair.handed.close();
    // The dialler's session end reads CapTP's op:abort, then the end of the stream.
    var reader = Codec.syrupReader(pair.in(), io.capnet.codec.DecodeLimits.DEFAULT);
    assertThat(reader.read()).isEqualTo(new Record(sym("op:abort"), List.of("uds introduction refused: no peer ocapn://"
        + nobody + ".unix-domain-socket is registered with this introduction server")));
    assertThat(reader.read()).isNull();
    pair.kept.close();

    // Only that introduction failed: A still introduces itself to B.
    Ends second = Ends.open();
    Record intro = new Record(sym("uds:new-connection"), List.of(a.location(), location(b.designator, null)));
    a.send(intro);
    a.sendFds(new byte[] {0}, second.handed.fileDescriptor());
    second.handed.close();
    assertThat(b.read()).isEqualTo(intro);
    b.skip(1);
    assertThat(b.received).hasSize(1);
    second.kept.close();
    assertCarriesOn(baseline);
  }

  @Test
  void threeDescriptorsAfterANewConnectionAreRefusedAndClosed() throws Exception {
    long baseline = openFds();
    DraftTextPeer a = registered();
    DraftTextPeer b = registered();
    List<Ends> pairs = new ArrayList<>();
    FileDescriptor[] three = new FileDescriptor[3];
    for (int i = 0; i < 3; i++) {
      pairs.add(Ends.open());
      three[i] = pairs.get(i).handed.fileDescriptor();
    }
    a.send(new Record(sym("uds:new-connection"), List.of(a.location(), location(b.designator, null))));
    a.sendFds(new byte[] {0}, three);
    for (var p : pairs) p.handed.close();
    assertAborted(a, "the SCM_RIGHTS message of uds:new-connection carries exactly one descriptor, not 3");
    // The daemon closed all three: each other end sees the end of the stream.
    for (var p : pairs) {
      assertThat(p.in().read()).isEqualTo(-1);
      p.kept.close();
    }
    assertThat(b.received).isEmpty();
    assertCarriesOn(baseline);
  }

  @Test
  void aDescriptorWithARecordIsRefused() throws Exception {
    long baseline = openFds();
    DraftTextPeer a = registered();
    Ends pair = Ends.open();
    a.sendFds(Codec.syrup().encode(new Record(sym("uds:register"), List.of(a.location(), Bytes.of(new byte[32])))),
        pair.handed.fileDescriptor());
    pair.handed.close();
    assertAborted(a, "1 file descriptor arrived outside the SCM_RIGHTS message that follows a uds:new-connection;"
        + " only that message carries one");
    assertThat(pair.in().read()).isEqualTo(-1);
    pair.kept.close();
    assertCarriesOn(baseline);
  }

  @Test
  void malformedRecordsAreRefused() throws Exception {
    long baseline = openFds();
    DraftTextPeer p = peer();
    p.send(new Record(sym("uds:register"), List.of(p.location())));
    assertAborted(p, "uds:register has 2 fields (peer-location client-challenge), got 1");

    DraftTextPeer q = peer();
    q.sendRaw("<12'uds:register]".getBytes());
    assertAborted(q, "malformed Syrup at byte 16 of the stream: unexpected-byte at byte 16: byte ']' (0x5d) does not"
        + " start a Syrup value");

    DraftTextPeer r = registered();
    r.send(new Record(sym("uds:register"), List.of(r.location(), Bytes.of(new byte[32]))));
    assertAborted(r, "a registered peer may send only uds:new-connection, not uds:register");

    DraftTextPeer s = peer();
    s.sendRaw(("<12'uds:register" + "9".repeat(6) + ":").getBytes());
    assertAborted(s, "malformed Syrup at byte 16 of the stream: bytes-too-long at byte 16: byte array declares 999999"
        + " bytes, over the limit of 16384");
    assertCarriesOn(baseline);
  }

  @Test
  void aSecondRegistrationOfADesignatorIsRefused() throws Exception {
    long baseline = openFds();
    DraftTextPeer a = registered();
    DraftTextPeer again = new DraftTextPeer(daemon.socketPath(), a.key);
    peers.add(again);
    again.handshake();
    assertAborted(again, "AMBIGUOUS: labels {\"ocapn_designator\":\"" + a.designator + "\"} cannot be told apart from the"
        + " registered unix-domain-socket peer {\"ocapn_designator\":\"" + a.designator + "\"}: this designator is"
        + " already registered");
    assertThat(listed(a.designator)).hasSize(1);
    assertCarriesOn(baseline);
  }

  @Test
  void aFromThatIsNotTheSenderIsRefused() throws Exception {
    long baseline = openFds();
    DraftTextPeer a = registered();
    DraftTextPeer b = registered();
    Ends pair = Ends.open();
    a.send(new Record(sym("uds:new-connection"), List.of(b.location(), a.location())));
    a.sendFds(new byte[] {0}, pair.handed.fileDescriptor());
    pair.handed.close();
    assertAborted(a, "from of uds:new-connection is ocapn://" + b.designator + ".unix-domain-socket, but this"
        + " connection registered as ocapn://" + a.designator + ".unix-domain-socket");
    pair.kept.close();
    assertCarriesOn(baseline);
  }

  @Test
  void aConnectionThatNeverFinishesTheHandshakeIsClosedAtTheStartTimeout() throws Exception {
    long baseline = openFds();
    DraftTextPeer p = peer();
    p.register();
    p.read(); // the server response, never answered
    long t0 = System.nanoTime();
    assertAborted(p, "the introduction handshake did not finish within 3000 ms");
    assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(1000L, 6000L);
    assertCarriesOn(baseline);
  }

  @Test
  void capnetUdsPeersMeetThroughTheSwitchboardAndTalk() throws Exception {
    SwitchboardDaemon g = fx.daemon("capnet-uds", b -> {}); // Goblins' signature form, the default
    warm(g);
    long baseline = openFds();
    try (io.capnet.captp.Peer alice = io.capnet.captp.Peer.builder().name("alice")
            .netlayer(io.capnet.unix.UdsNetlayer.builder().introductionServer(g.socketPath()).build()).build();
        io.capnet.captp.Peer bob = io.capnet.captp.Peer.builder().name("bob")
            .netlayer(io.capnet.unix.UdsNetlayer.builder().introductionServer(g.socketPath()).build()).build()) {
      assertThat(alice.locator().hints()).isEqualTo(Map.of(g.designator(), "1"));
      io.capnet.captp.Ref echo = alice.spawn(io.capnet.captp.Methods.builder().on("echo", a -> "alice:" + a.get(0)).build());
      io.capnet.captp.Ref remote = (io.capnet.captp.Ref) bob.enliven(alice.export(echo)).future()
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(remote.send("echo", "hi").future().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("alice:hi");
      assertThat(g.udsRegistrations()).isEqualTo(2);

    }
    for (int i = 0; i < 200 && g.udsRegistrations() > 0; i++) Thread.sleep(10);
    assertThat(g.udsRegistrations()).isZero();
    long now = openFds();
    for (int i = 0; i < 200 && now > baseline; i++) {
      Thread.sleep(25);
      now = openFds();
    }
    assertThat(now).as("fds (baseline %d) %s", baseline, fdTargets()).isLessThanOrEqualTo(baseline);
  }

  @Test
  void aCapnetUdsPeerDialsADraftPeerWithCaptpInSyrup() throws Exception {
    SwitchboardDaemon g = fx.daemon("capnet-dials", b -> {});
    warm(g);
    long baseline = openFds();
    try (io.capnet.captp.Peer bob = io.capnet.captp.Peer.builder().name("bob")
        .netlayer(io.capnet.unix.UdsNetlayer.builder().introductionServer(g.socketPath()).build()).build()) {
      // A draft peer on the same Switchboard is dialled by a Capnet peer: CapTP in bare Syrup on the handed socket.
      try (DraftTextPeer d = new DraftTextPeer(g.socketPath())) {
        byte[] mine = d.register();
        Record resp = (Record) d.read();
        Bytes challenge = (Bytes) resp.field(1);
        d.send(new Record(sym("uds:signature"), List.of(challenge, sigVal(sign(d.key, challenge.toByteArray())))));
        for (int i = 0; i < 200 && g.udsRegistrations() < 2; i++) Thread.sleep(10);
        var dialled = bob.enliven(io.capnet.locator.PeerLocator.parse("ocapn://" + d.designator + ".unix-domain-socket?"
            + g.designator() + "=1").sturdyref(Bytes.of((byte) 1)));
        Record intro = (Record) d.read();
        assertThat(intro.label()).isEqualTo(sym("uds:new-connection"));
        assertThat(((Record) intro.field(1)).field(1)).isEqualTo(d.designator);
        d.skip(1);
        assertThat(d.received).hasSize(1);
        AFUNIXSocketChannel handed = FileDescriptorCast.using(d.received.get(0)).as(AFUNIXSocketChannel.class);
        ByteBuffer first = ByteBuffer.allocate("<16'op:start-session".length());
        while (first.hasRemaining()) handed.read(first);
        assertThat(new String(first.array())).isEqualTo("<16'op:start-session");
        handed.close(); // a cast channel shuts the socket down but never closes its descriptor
        new java.io.FileInputStream(d.received.remove(0)).close();
        assertThat(mine).hasSize(32);
        assertThatThrownBy(() -> dialled.future().get(10, java.util.concurrent.TimeUnit.SECONDS))
            .isInstanceOf(java.util.concurrent.ExecutionException.class);
      }
    }
    for (int i = 0; i < 200 && g.udsRegistrations() > 0; i++) Thread.sleep(10);
    long now = openFds();
    for (int i = 0; i < 200 && now > baseline; i++) {
      Thread.sleep(25);
      now = openFds();
    }
    assertThat(now).as("fds (baseline %d) %s", baseline, fdTargets()).isLessThanOrEqualTo(baseline);
  }

  /** One client first: a daemon's selectors open what they keep on first use, before a baseline is taken. */
  private static void warm(SwitchboardDaemon d) throws Exception {
    try (Switchboard w = Switchboard.open(d.socketPath())) {
      w.list(Labels.empty());
    }
    Thread.sleep(500); // until the daemon has closed its end of that client's connection
  }

  static List<String> fdTargets() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.map(p -> {
        try {
          return p.getFileName() + "->" + Files.readSymbolicLink(p);
        } catch (IOException e) {
          return p.getFileName() + "->?";
        }
      }).filter(t -> !t.contains(".jar")).toList();
    }
  }
}
