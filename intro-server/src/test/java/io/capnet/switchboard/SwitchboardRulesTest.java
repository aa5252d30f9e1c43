package io.capnet.switchboard;

import static io.capnet.switchboard.SwitchboardFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.captp.BrokenException;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.SwitchboardException.Code;
import io.capnet.value.Bytes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rights, labels and matching: Flower's rules, each with its refusal. */
@Timeout(60)
class SwitchboardRulesTest {
  private final SwitchboardFixture fx;

  SwitchboardRulesTest() throws Exception {
    fx = new SwitchboardFixture();
  }

  @AfterEach
  void close() throws Exception {
    fx.close();
  }

  private static SwitchboardException refusal(ThrowingCallable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(SwitchboardException.class);
    return (SwitchboardException) t;
  }

  private static Switchboard.Registration serveDiscarding(Switchboard sb, Labels labels) throws Exception {
    return sb.serve(labels, intro -> intro.socket().close());
  }

  @Test
  void rootHandleHasEveryRightAndNoLabels() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    assertThat(root.rights()).isEqualTo(Right.ALL);
    assertThat(root.inLabels().isEmpty()).isTrue();
    assertThat(root.outLabels().isEmpty()).isTrue();
  }

  @Test
  void constrainRefusesRightsTheHandleLacksAndNamesThem() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    Switchboard connectOnly = root.constrain(EnumSet.of(Right.CLIENT_CONNECT), Labels.empty(), Labels.empty());
    assertThat(connectOnly.rights()).containsExactly(Right.CLIENT_CONNECT);
    SwitchboardException e = refusal(() ->
        connectOnly.constrain(EnumSet.of(Right.CLIENT_CONNECT, Right.LIST, Right.SERVER_START), Labels.empty(), Labels.empty()));
    assertThat(e.code()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(e.detail()).contains("[SERVER_START, LIST]");
  }

  @Test
  void aChainOfConstrainsCannotGrowALabelSetPastSixtyFourLabels() throws Exception {
    Switchboard h = fx.client(fx.daemon());
    for (int i = 0; i < 8; i++) { // 8 x 8 = 64: at the bound, allowed
      java.util.Map<String, String> more = new java.util.TreeMap<>();
      for (int j = 0; j < 8; j++) more.put("k" + i + "_" + j, "v");
      h = h.constrain(Right.ALL, Labels.empty(), Labels.of(more));
    }
    Switchboard full = h;
    SwitchboardException e = refusal(() -> full.constrain(Right.ALL, Labels.empty(), Labels.of("one", "more")));
    assertThat(e.code()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(e.getMessage()).isEqualTo("INVALID_ARGUMENT: out-labels: more than 64 labels (65)");
  }

  @Test
  void constrainRefusesChangingALabelValueAndNamesTheLabel() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    Switchboard zoned = root.constrain(Right.ALL, Labels.of("zone", "a"), Labels.of("zone", "a"));
    Switchboard narrower = zoned.constrain(Right.ALL, Labels.of("zone", "a", "rack", "7"), Labels.of("host", "x"));
    assertThat(narrower.inLabels()).isEqualTo(Labels.of("zone", "a", "rack", "7"));
    assertThat(narrower.outLabels()).isEqualTo(Labels.of("zone", "a", "host", "x"));
    SwitchboardException e = refusal(() -> zoned.constrain(Right.ALL, Labels.empty(), Labels.of("zone", "b")));
    assertThat(e.code()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(e.detail()).contains("label 'zone' is fixed to 'a'").contains("cannot become 'b'");
  }

  @Test
  void rightsAreNeededForEachOperation() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    Switchboard none = root.constrain(EnumSet.noneOf(Right.class), Labels.empty(), Labels.empty());
    assertThat(refusal(() -> none.connect(Labels.empty())).getMessage())
        .isEqualTo("PERMISSION_DENIED: this handle lacks the right CLIENT_CONNECT; it has []");
    assertThat(refusal(() -> serveDiscarding(none, Labels.of("a", "b"))).detail()).contains("SERVER_START");
    assertThat(refusal(() -> none.list(Labels.empty())).detail()).contains("LIST");
  }

  /**
   * The rule, written here apart from {@code Labels}: a narrowing may add labels, or repeat one the
   * handle has fixed, but never give a fixed key another value.
   */
  static boolean keepsEveryFixedLabel(Map<String, String> asked, Map<String, String> fixed) {
    for (var e : asked.entrySet()) {
      if (fixed.containsKey(e.getKey()) && !fixed.get(e.getKey()).equals(e.getValue())) return false;
    }
    return true;
  }

  /** Seeded random chains of constrain calls: every handle's rights and labels only narrow. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 2026})
  void randomConstrainChainsOnlyNarrow(long seed) throws Exception {
    Random rnd = new Random(seed);
    Switchboard h = fx.client(fx.daemon());
    String[] keys = {"a", "b", "c", "d"};
    String[] values = {"1", "2"};
    int accepted = 0;
    int refusedForLabels = 0;
    for (int step = 0; step < 25; step++) {
      // Mostly a subset of what the handle has, so that steps get past the rights check and the
      // label rule is exercised; sometimes any rights at all, to exercise widening.
      Set<Right> ask = EnumSet.noneOf(Right.class);
      boolean anyRights = rnd.nextInt(4) == 0;
      for (Right r : Right.values()) {
        if (anyRights ? rnd.nextInt(2) == 0 : h.rights().contains(r) && rnd.nextInt(8) != 0) ask.add(r);
      }
      Map<String, String> in = new TreeMap<>();
      Map<String, String> out = new TreeMap<>();
      if (rnd.nextBoolean()) in.put(keys[rnd.nextInt(4)], values[rnd.nextInt(2)]);
      if (rnd.nextBoolean()) out.put(keys[rnd.nextInt(4)], values[rnd.nextInt(2)]);
      boolean rightsOk = h.rights().containsAll(ask);
      boolean inOk = keepsEveryFixedLabel(in, h.inLabels().asMap());
      boolean outOk = keepsEveryFixedLabel(out, h.outLabels().asMap());
      Switchboard parent = h;
      try {
        h = parent.constrain(ask, Labels.of(in), Labels.of(out));
        assertThat(rightsOk && inOk && outOk).as("step %d was accepted", step).isTrue();
        accepted++;
        assertThat(parent.rights()).containsAll(h.rights());
        assertThat(h.rights()).isEqualTo(ask);
        assertThat(h.inLabels().asMap()).containsAllEntriesOf(parent.inLabels().asMap()).containsAllEntriesOf(in);
        assertThat(h.outLabels().asMap()).containsAllEntriesOf(parent.outLabels().asMap()).containsAllEntriesOf(out);
        // What the daemon itself holds for the new handle, read back through a socket it serves.
        try (Switchboard asServed = Switchboard.open(h.socket())) {
          assertThat(asServed.rights()).isEqualTo(h.rights());
          assertThat(asServed.inLabels()).isEqualTo(h.inLabels());
          assertThat(asServed.outLabels()).isEqualTo(h.outLabels());
        }
      } catch (SwitchboardException e) {
        assertThat(rightsOk && inOk && outOk).as("step %d was refused: %s", step, e.getMessage()).isFalse();
        assertThat(e.code()).isEqualTo(Code.PERMISSION_DENIED);
        if (rightsOk) refusedForLabels++;
      }
    }
    // The chain must have tried both outcomes of the label rule, or it checked nothing about it.
    assertThat(accepted).as("steps accepted").isPositive();
    assertThat(refusedForLabels).as("steps refused for a label alone").isPositive();
  }

  @Test
  void connectFailsWhenNoServerMatches() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    serveDiscarding(root, Labels.of("svc", "db"));
    SwitchboardException e = refusal(() -> root.connect(Labels.of("svc", "web")));
    assertThat(e.code()).isEqualTo(Code.NOT_FOUND);
    assertThat(e.detail()).isEqualTo("no server matches {\"svc\":\"web\"}");
  }

  @Test
  void connectFailsWhenLabelsMatchTwoServers() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    serveDiscarding(root, Labels.of("svc", "db", "zone", "1"));
    serveDiscarding(root, Labels.of("svc", "db", "zone", "2"));
    SwitchboardException e = refusal(() -> root.connect(Labels.of("svc", "db")));
    assertThat(e.code()).isEqualTo(Code.AMBIGUOUS);
    assertThat(e.detail()).contains("match 2 servers").endsWith("tell them apart: [zone]");
    assertThat(root.connect(Labels.of("svc", "db", "zone", "2")).labels().get("zone")).contains("2");
  }

  @Test
  void registrationFailsWhenItConflictsWithNoServer() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    serveDiscarding(root, Labels.of("svc", "db", "zone", "1"));
    SwitchboardException same = refusal(() -> serveDiscarding(root, Labels.of("svc", "db", "zone", "1")));
    assertThat(same.code()).isEqualTo(Code.AMBIGUOUS);
    assertThat(same.detail()).contains("they are the same");
    SwitchboardException wider = refusal(() -> serveDiscarding(root, Labels.of("svc", "db")));
    assertThat(wider.code()).isEqualTo(Code.AMBIGUOUS);
    assertThat(wider.detail()).contains("give one of [zone] a value that differs");
    serveDiscarding(root, Labels.of("svc", "db", "zone", "2"));
  }

  @Test
  void bothSidesReceiveTheUnionOfTheLabels() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard server = fx.client(d);
    Switchboard client = fx.client(d);
    LinkedBlockingQueue<Switchboard.Introduction> arrived = new LinkedBlockingQueue<>();
    server.constrain(Right.ALL, Labels.of("svc", "db", "role", "primary"), Labels.empty())
        .serve(Labels.empty(), arrived::add);
    Switchboard.Introduction mine = client.constrain(Right.ALL, Labels.empty(), Labels.of("tenant", "t1"))
        .connect(Labels.of("svc", "db"));
    Switchboard.Introduction theirs = arrived.poll(10, TimeUnit.SECONDS);
    assertThat(theirs).isNotNull();
    assertThat(mine.labels()).isEqualTo(theirs.labels());
    String pid = Long.toString(ProcessHandle.current().pid());
    assertThat(mine.labels().asMap()).containsEntry("svc", "db").containsEntry("role", "primary")
        .containsEntry("tenant", "t1").containsEntry("client_pid", pid).containsEntry("server_pid", pid)
        .containsKeys("client_uid", "client_gid", "server_uid", "server_gid");
    mine.socket().close();
    theirs.socket().close();
  }

  @Test
  void reservedLabelsCannotBeSetByClients() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    assertThat(refusal(() -> root.connect(Labels.of("client_uid", "0"))).getMessage())
        .isEqualTo("INVALID_ARGUMENT: connect labels set reserved labels [client_uid], which only the Switchboard sets");
    assertThat(refusal(() -> serveDiscarding(root, Labels.of("server_pid", "1"))).detail()).contains("[server_pid]");
    assertThat(refusal(() -> serveDiscarding(root, Labels.of("ocapn_designator", "x"))).detail()).contains("[ocapn_designator]");
    assertThat(refusal(() -> root.constrain(Right.ALL, Labels.empty(), Labels.of("client_designator", "x"))).code())
        .isEqualTo(Code.INVALID_ARGUMENT);
  }

  @Test
  void serversCanFilterClientsByTheirKernelCredentials() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard root = fx.client(d);
    serveDiscarding(root, Labels.of("svc", "only-root", "client_uid", "4242424"));
    assertThat(refusal(() -> root.connect(Labels.of("svc", "only-root"))).code()).isEqualTo(Code.NOT_FOUND);
  }

  @Test
  void nonStringLabelValueIsRefusedNamingTheLabel() throws Exception {
    Peer[] p = new Peer[1];
    Ref handle = fx.rawHandle(fx.daemon(), p);
    assertThatThrownBy(() -> await(handle.send("connect", Map.of("port", 80L))))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(BrokenException.class)
        .hasMessageContaining("INVALID_ARGUMENT: connect labels: label 'port' must be a string, got an integer");
    assertThatThrownBy(() -> await(handle.send("constrain", List.of("LIST", "FLY"), Map.of(), Map.of())))
        .cause().hasMessageContaining("INVALID_ARGUMENT: unknown rights [FLY]");
    assertThatThrownBy(() -> await(handle.send("teleport")))
        .cause().hasMessageContaining("INVALID_ARGUMENT: a handle has no method teleport");
    assertThat(await(handle.send("rights"))).asList().hasSize(6);
  }

  @Test
  void registerPeerRefusesASignatureThatDoesNotProveTheKey() throws Exception {
    Peer[] p = new Peer[1];
    Ref handle = fx.rawHandle(fx.daemon(), p);
    Ref server = p[0].spawn(a -> null);
    Bytes key = Bytes.of(new byte[32]);
    assertThatThrownBy(() -> await(handle.send("register-peer", io.capnet.locator.Designators.rawEd25519(
            java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()),
            Bytes.of(new byte[64]), server)))
        .cause().hasMessageContaining("PERMISSION_DENIED: register-peer: the signature does not prove the key");
    assertThatThrownBy(() -> await(handle.send("register-peer", key, Bytes.of(new byte[10]), server)))
        .cause().hasMessageContaining("INVALID_ARGUMENT: register-peer takes a 64-byte Ed25519 signature");
  }

  @Test
  void registrationEndsWhenTheServerSessionEnds() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard root = fx.client(d);
    Switchboard server = Switchboard.open(d.socketPath());
    serveDiscarding(server, Labels.of("svc", "short-lived"));
    assertThat(root.list(Labels.empty())).hasSize(1);
    server.close();
    for (int i = 0; i < 100 && d.registrations() > 0; i++) Thread.sleep(20);
    assertThat(d.registrations()).isZero();
    assertThat(refusal(() -> root.connect(Labels.of("svc", "short-lived"))).code()).isEqualTo(Code.NOT_FOUND);
  }

  @Test
  void cancelEndsARegistration() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard root = fx.client(d);
    Switchboard.Registration reg = serveDiscarding(root, Labels.of("svc", "x"));
    reg.cancel();
    assertThat(d.registrations()).isZero();
  }

  @Test
  void listShowsOnlyServersTheHandleCanSee() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    serveDiscarding(root, Labels.of("svc", "db", "zone", "1"));
    serveDiscarding(root, Labels.of("svc", "db", "zone", "2"));
    serveDiscarding(root, Labels.of("svc", "web"));
    assertThat(root.list(Labels.empty())).hasSize(3);
    Switchboard zone1 = root.constrain(EnumSet.of(Right.LIST), Labels.empty(), Labels.of("zone", "1"));
    List<Labels> seen = zone1.list(Labels.empty());
    assertThat(seen).extracting(l -> l.get("svc").orElseThrow()).containsExactlyInAnyOrder("db", "web");
    assertThat(root.list(Labels.of("svc", "db"))).hasSize(2);
  }

  @Test
  void watchStreamsRegistrationsAndDepartures() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard root = fx.client(d);
    serveDiscarding(root, Labels.of("svc", "before"));
    LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    root.watch(new Switchboard.Watcher() {
      @Override public void registered(Labels l) { events.add("+" + l.get("svc").orElseThrow()); }
      @Override public void departed(Labels l) { events.add("-" + l.get("svc").orElseThrow()); }
    });
    Switchboard.Registration later = serveDiscarding(root, Labels.of("svc", "later"));
    later.cancel();
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 3; i++) got.add(events.poll(10, TimeUnit.SECONDS));
    assertThat(got).containsExactly("+before", "+later", "-later");
  }

  @Test
  void handleSocketServesTheConstrainedHandle() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    Switchboard narrow = root.constrain(EnumSet.of(Right.CLIENT_CONNECT), Labels.empty(), Labels.of("svc", "db"));
    try (Switchboard viaFd = Switchboard.open(narrow.socket())) {
      assertThat(viaFd.rights()).containsExactly(Right.CLIENT_CONNECT);
      assertThat(viaFd.outLabels()).isEqualTo(Labels.of("svc", "db"));
    }
  }

  @Test
  void sturdyrefReachesTheConstrainedHandle() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard root = fx.client(d);
    String uri = root.constrain(EnumSet.of(Right.LIST), Labels.empty(), Labels.of("zone", "9")).sturdyref();
    assertThat(uri).startsWith("ocapn://" + d.locator().designator() + ".unix").contains("/s/");
    try (Switchboard viaUri = Switchboard.openSturdyref(uri)) {
      assertThat(viaUri.rights()).containsExactly(Right.LIST);
      assertThat(viaUri.outLabels()).isEqualTo(Labels.of("zone", "9"));
    }
  }

  @Test
  void daemonServesAnInheritedListeningSocket() throws Exception {
    Path path = fx.dir.resolve("activated.sock");
    try (var listening = org.newsclub.net.unix.AFUNIXServerSocketChannel.open()) {
      listening.bind(org.newsclub.net.unix.AFUNIXSocketAddress.of(path));
      int fd = org.newsclub.net.unix.FileDescriptorCast.using(listening.getFileDescriptor()).as(Integer.class);
      try (SwitchboardDaemon d = SwitchboardDaemon.builder().listenFd(fd).start();
           Switchboard sb = Switchboard.open(path)) {
        assertThat(d.socketPath()).isEqualTo(path);
        assertThat(sb.rights()).isEqualTo(Right.ALL);
      }
      assertThat(java.nio.file.Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS))
          .as("the inherited socket's file is its passer's: the daemon's close leaves it").isTrue();
    }
  }

  @Test
  void aDroppedSturdyrefReachesNothing() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    Switchboard narrow = root.constrain(EnumSet.of(Right.LIST), Labels.empty(), Labels.empty());
    String uri = narrow.sturdyref();
    narrow.dropSturdyref(uri);
    SwitchboardException gone = refusal(() -> Switchboard.openSturdyref(uri));
    assertThat(gone.getMessage()).contains("no object is exported under that swiss number");
    assertThat(refusal(() -> narrow.dropSturdyref(uri)).code()).isEqualTo(Code.NOT_FOUND);
    assertThat(refusal(() -> root.dropSturdyref(root.constrain(Right.ALL, Labels.empty(), Labels.empty()).sturdyref())).code())
        .as("only the handle that made a sturdyref drops it").isEqualTo(Code.NOT_FOUND);
  }

  @Test
  void rootPolicyNoneGivesNoRootHandleButSturdyrefsStillWork() throws Exception {
    SwitchboardDaemon d = fx.daemon("closed", b -> b.rootPolicy(SwitchboardDaemon.RootPolicy.NONE));
    SwitchboardException e = refusal(() -> Switchboard.open(d.socketPath()));
    assertThat(e.code()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(e.detail()).contains("does not get the root handle (policy NONE)").contains("sturdyref");
    try (Switchboard viaUri = Switchboard.openSturdyref(d.rootSturdyref())) {
      assertThat(viaUri.rights()).isEqualTo(Right.ALL);
    }
  }

  @Test
  void serverThatNeverAnswersMakesConnectUnavailableAtTheDeadline() throws Exception {
    SwitchboardDaemon d = fx.daemon("slow", b -> b.callDeadline(java.time.Duration.ofMillis(300)).maxPendingConnects(2));
    Peer[] p = new Peer[1];
    Ref handle = fx.rawHandle(d, p);
    // A server whose incoming never answers: each answer is a promise that never settles.
    Ref stuck = p[0].spawn(a -> p[0].deferred().promise());
    await(handle.send("serve", Map.of("svc", "stuck"), stuck));
    Switchboard client = fx.client(d);
    serveDiscarding(client, Labels.of("svc", "fine"));
    SwitchboardException e = refusal(() -> client.connect(Labels.of("svc", "stuck")));
    assertThat(e.code()).isEqualTo(Code.UNAVAILABLE);
    assertThat(e.detail()).contains("did not take the connection within 300 ms");
    // Meanwhile another server is unaffected.
    client.connect(Labels.of("svc", "fine")).socket().close();
  }

  @Test
  void pendingConnectsPerServerAreBounded() throws Exception {
    SwitchboardDaemon d = fx.daemon("bounded", b -> b.callDeadline(java.time.Duration.ofSeconds(5)).maxPendingConnects(2));
    Peer[] p = new Peer[1];
    Ref handle = fx.rawHandle(d, p);
    Ref stuck = p[0].spawn(a -> p[0].deferred().promise());
    await(handle.send("serve", Map.of("svc", "stuck"), stuck));
    var first = handle.send("connect", Map.of("svc", "stuck"));
    var second = handle.send("connect", Map.of("svc", "stuck"));
    assertThatThrownBy(() -> await(handle.send("connect", Map.of("svc", "stuck"))))
        .cause().hasMessageContaining("RESOURCE_EXHAUSTED").hasMessageContaining("already has 2 pending connects");
    assertThat(first.future()).isNotDone();
    assertThat(second.future()).isNotDone();
  }

  @Test
  void oneClientHoldsAtMost1024RegistrationsAndFreesOneByCancelling() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard root = fx.client(d);
    List<Switchboard.Registration> regs = new java.util.ArrayList<>();
    for (int i = 0; i < 1024; i++) regs.add(serveDiscarding(root, Labels.of("svc", "s" + i)));
    SwitchboardException e = refusal(() -> serveDiscarding(root, Labels.of("svc", "one-more")));
    assertThat(e.code()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(e.detail()).isEqualTo("this client already holds 1024 registrations (maxRegistrationsPerClient 1024)");
    regs.get(0).cancel();
    assertThat(serveDiscarding(root, Labels.of("svc", "one-more")).labels().get("svc")).contains("one-more");
    // Another client has a share of its own.
    Switchboard other = fx.client(d);
    assertThat(serveDiscarding(other, Labels.of("svc", "other")).labels().get("svc")).contains("other");
  }

  @Test
  void oneClientHoldsAtMost64Watchers() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    Switchboard.Watcher quiet = new Switchboard.Watcher() {
      @Override
      public void registered(Labels labels) {}

      @Override
      public void departed(Labels labels) {}
    };
    for (int i = 0; i < 64; i++) root.watch(quiet);
    SwitchboardException e = refusal(() -> root.watch(quiet));
    assertThat(e.code()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(e.detail()).isEqualTo("this client already holds 64 watchers (maxWatchersPerClient 64)");
  }
}
