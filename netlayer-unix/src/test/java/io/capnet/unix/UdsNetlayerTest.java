package io.capnet.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.locator.PeerLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Capnet peers on an introduction server that speaks only the draft (a server written from its
 * text): they register, reach each other both ways with CapTP round trips over the handed
 * socket pairs, and leave nothing behind.
 */
@Timeout(60)
class UdsNetlayerTest {
  private final List<AutoCloseable> open = new ArrayList<>();
  private final Path dir;

  UdsNetlayerTest() throws IOException {
    dir = Files.createTempDirectory("capnet-uds-");
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open.reversed()) c.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  static List<String> fdTargets() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.map(p -> {
        try {
          return p.getFileName() + "->" + Files.readSymbolicLink(p);
        } catch (IOException e) {
          return p.getFileName() + "->?";
        }
      }).toList();
    }
  }

  static long openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  private Peer peer(String name, DraftTextServer server) throws IOException {
    UdsNetlayer n = UdsNetlayer.builder().introductionServer(server.path).signatureForm(Uds.SignatureForm.DRAFT).build();
    return Peer.builder().name(name).netlayer(n).build();
  }

  private static Ref echo(Peer p, String who) {
    return p.spawn(Methods.builder().on("echo", a -> who + ":" + a.get(0)).build());
  }

  @Test
  void twoPeersMeetThroughADraftOnlyServerAndTalkBothWays() throws Exception {
    DraftTextServer server = track(new DraftTextServer(dir.resolve("intro.sock")));
    long fds = openFds();
    int threads = Thread.activeCount();
    try (Peer alice = peer("alice", server); Peer bob = peer("bob", server)) {
      PeerLocator at = alice.locator();
      assertThat(at.transport()).isEqualTo("unix-domain-socket");
      assertThat(at.hints()).isEqualTo(Map.of(server.designator, "1"));
      assertThat(at.toUri()).isEqualTo("ocapn://" + at.designator() + ".unix-domain-socket?" + server.designator + "=1");

      Ref fromBob = (Ref) bob.enliven(alice.export(echo(alice, "alice"))).future().get(10, TimeUnit.SECONDS);
      assertThat(fromBob.send("echo", "hi").future().get(10, TimeUnit.SECONDS)).isEqualTo("alice:hi");
      Ref fromAlice = (Ref) alice.enliven(bob.export(echo(bob, "bob"))).future().get(10, TimeUnit.SECONDS);
      assertThat(fromAlice.send("echo", "yo").future().get(10, TimeUnit.SECONDS)).isEqualTo("bob:yo");
    }
    long now = openFds();
    for (int i = 0; i < 200 && now > fds; i++) {
      Thread.sleep(25);
      now = openFds();
    }
    assertThat(now).as("fds (baseline %d) %s", fds, fdTargets()).isLessThanOrEqualTo(fds);
    for (int i = 0; i < 200 && Thread.activeCount() > threads; i++) Thread.sleep(25);
    assertThat(Thread.activeCount()).as("platform threads (baseline %d)", threads).isLessThanOrEqualTo(threads);
  }

  @Test
  void aServerWhoseSignatureDoesNotVerifyIsRefused() throws Exception {
    DraftTextServer server = track(new DraftTextServer(dir.resolve("forger.sock")));
    server.signWithAnotherKey = true;
    long fds = openFds();
    assertThatThrownBy(() -> UdsNetlayer.builder().introductionServer(server.path).build())
        .isInstanceOf(IOException.class)
        .hasMessage("introduction server " + server.path + ": the server's signature of our challenge does not verify"
            + " with the key it sent");
    long now = openFds();
    for (int i = 0; i < 200 && now > fds; i++) {
      Thread.sleep(25);
      now = openFds();
    }
    assertThat(now).isLessThanOrEqualTo(fds);
  }

  @Test
  void aConnectionMeantForAnotherPeerIsClosedAndTheDiallerLearnsIt() throws Exception {
    DraftTextServer server = track(new DraftTextServer(dir.resolve("wrong.sock")));
    Peer alice = track(peer("alice", server));
    Peer bob = track(peer("bob", server));
    Peer carol = track(peer("carol", server));
    server.redirectTo = carol.locator().designator(); // every introduction goes to carol
    var ref = alice.export(echo(alice, "alice"));
    assertThatThrownBy(() -> bob.enliven(ref).future().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    // Carol is unharmed: once the server behaves, she is reached.
    server.redirectTo = null;
    Ref fromBob = (Ref) bob.enliven(carol.export(echo(carol, "carol"))).future().get(10, TimeUnit.SECONDS);
    assertThat(fromBob.send("echo", "ok").future().get(10, TimeUnit.SECONDS)).isEqualTo("carol:ok");
  }

  @Test
  void aPeerWithNoServerInCommonIsNotDialled() throws Exception {
    DraftTextServer one = track(new DraftTextServer(dir.resolve("one.sock")));
    DraftTextServer two = track(new DraftTextServer(dir.resolve("two.sock")));
    Peer alice = track(peer("alice", one));
    Peer bob = track(peer("bob", two));
    var ref = alice.export(echo(alice, "alice"));
    assertThatThrownBy(() -> bob.enliven(ref).future().get(10, TimeUnit.SECONDS))
        .hasMessageContaining("no introduction server in common with ocapn://" + alice.locator().designator()
            + ".unix-domain-socket?" + one.designator + "=1: this peer is registered with [" + two.designator + "]");
  }
}
