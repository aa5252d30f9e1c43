package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Netlayer;
import io.capnet.value.Bytes;
import io.capnet.value.Null;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a CapTP session between {@link Peer}s must do whatever netlayer carries it. Each subclass
 * supplies the netlayer; every test builds its own peers and closes them.
 */
@Timeout(60)
abstract class SessionContractTest {
  private final List<Peer> peers = new ArrayList<>();

  /**
   * A fresh netlayer for a peer called {@code name}, on a network shared by the peers of one
   * test. Netlayers that choose their own designator may ignore the name.
   */
  protected abstract Netlayer netlayer(String name) throws IOException;

  /** Whether the netlayer's connections do their I/O on the vat's loop (no threads of their own). */
  protected boolean ioOnTheVat() {
    return true;
  }

  protected Peer peer(String name) throws IOException {
    Peer p = Peer.builder().name(name).netlayer(netlayer(name)).build();
    peers.add(p);
    return p;
  }

  @AfterEach
  void closePeers() {
    peers.forEach(Peer::close);
  }

  static Object await(Promise p) throws Exception {
    return p.future().get(30, TimeUnit.SECONDS);
  }

  static Ref counter(Peer p) {
    long[] n = {0};
    return p.spawn(Methods.builder().on("next", a -> ++n[0]).build());
  }

  static Ref echo(Peer p) {
    return p.spawn(Methods.builder().on("echo", a -> a.get(0)).build());
  }

  /** {@code bob}'s reference to {@code object}, which lives in {@code owner}. */
  static Ref reach(Peer bob, Peer owner, Ref object) throws Exception {
    return (Ref) await(bob.enliven(owner.export(object)));
  }

  static void closeWithin(Peer p, long seconds) throws Exception {
    CompletableFuture.runAsync(p::close).get(seconds, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- messages and answers

  @Test
  void sendIsAnsweredAcrossTheSession() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Ref greeter = alice.spawn(Methods.builder().on("greet", a -> "Hello, " + a.get(0)).build());
    Ref remote = reach(bob, alice, greeter);
    assertThat(remote.isPromise()).isFalse();
    assertThat(await(remote.send("greet", "Bob"))).isEqualTo("Hello, Bob");
    assertThat(await(remote.send("greet", 42L))).isEqualTo("Hello, 42");
  }

  @Test
  void aThousandSequentialSendsAreAnsweredInOrder() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Ref remote = reach(bob, alice, counter(alice));
    int n = 1000;
    List<CompletableFuture<Object>> answers = new ArrayList<>(n);
    ConcurrentLinkedQueue<Integer> settledBeforeEarlier = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < n; i++) {
      CompletableFuture<Object> f = remote.send("next").future();
      answers.add(f);
      if (i > 0) {
        // Whatever thread runs it, answer i settling means answer i-1 had settled before.
        CompletableFuture<Object> previous = answers.get(i - 1);
        int index = i;
        f.thenRun(() -> {
          if (!previous.isDone()) settledBeforeEarlier.add(index);
        });
      }
    }
    List<Object> values = new ArrayList<>(n);
    for (CompletableFuture<Object> f : answers) values.add(f.get(30, TimeUnit.SECONDS));
    assertThat(values).isEqualTo(LongStream.rangeClosed(1, n).boxed().toList());
    assertThat(settledBeforeEarlier).as("answers that settled before an earlier one").isEmpty();
  }

  @Test
  void sendsPipelinedOnUnsettledAnswersResolve() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Ref car = alice.spawn(Methods.builder().on("drive", a -> "Vroom " + a.get(0)).build());
    Deferred carLater = alice.deferred();
    CompletableFuture<Void> makeArrived = new CompletableFuture<>();
    Ref factory = alice.spawn(Methods.builder().on("make", a -> {
      makeArrived.complete(null);
      return carLater.promise();
    }).build());
    Ref root = reach(bob, alice, alice.spawn(Methods.builder().on("factory", a -> factory).build()));

    Promise vroom = root.send("factory").send("make").send("drive", "fast");
    makeArrived.get(30, TimeUnit.SECONDS);
    assertThat(vroom.future()).isNotDone(); // the car does not exist yet
    carLater.fulfill(car);
    assertThat(await(vroom)).isEqualTo("Vroom fast");
  }

  @Test
  void ownObjectSentAwayAndBackIsTheSameObject() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Ref counter = counter(alice);
    Ref bounce = reach(alice, bob, echo(bob));

    Object back = await(bounce.send("echo", counter));
    assertThat(back).isSameAs(counter);
    assertThat(await(counter.send("next"))).isEqualTo(1L);
    assertThat(await(((Ref) back).send("next"))).isEqualTo(2L);
    // And bob's own object, sent to alice and back, is bob's object again.
    Ref bobCounter = counter(bob);
    Ref aliceEcho = reach(bob, alice, echo(alice));
    assertThat(await(aliceEcho.send("echo", bobCounter))).isSameAs(bobCounter);
  }

  @Test
  void promiseResolvedWithAPromiseSettlesToTheFinalValue() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Deferred outer = bob.deferred();
    Deferred inner = bob.deferred();
    Ref relay = bob.spawn(Methods.builder()
        .on("later", a -> outer.promise())
        .on("relay", a -> ((Ref) a.get(0)).send("echo", a.get(1))) // a remote promise, to alice
        .build());
    Ref remote = reach(alice, bob, relay);

    Promise later = remote.send("later");
    outer.fulfill(inner.promise());
    assertThat(await(remote.send("relay", echo(alice), "sync"))).isEqualTo("sync");
    assertThat(later.future()).isNotDone(); // inner is still unsettled
    inner.fulfill("final");
    assertThat(await(later)).isEqualTo("final");
    // Bob answers with his own unsettled question to alice: the answer follows it.
    assertThat(await(remote.send("relay", echo(alice), "via bob's question"))).isEqualTo("via bob's question");
  }

  @Test
  void deferredSettlesWhenTheRemotePeerCallsItsResolver() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Ref settler = bob.spawn(Methods.builder()
        .on("settle", a -> ((Ref) a.get(0)).send((String) a.get(1), a.get(2)))
        .build());
    Ref remote = reach(alice, bob, settler);

    Deferred kept = alice.deferred();
    Deferred refused = alice.deferred();
    assertThat(await(remote.send("settle", kept.resolver(), "fulfill", "done"))).isEqualTo(Null.NULL);
    assertThat(await(kept.promise())).isEqualTo("done");
    remote.sendOnly("settle", refused.resolver(), "break", "no thanks");
    assertThatThrownBy(() -> await(refused.promise()))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(BrokenException.class,
            e -> assertThat(e.reason()).isEqualTo("no thanks"));
  }

  @Test
  void brokenAnswerBreaksEverySendPipelinedOnIt() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Ref root = reach(bob, alice, alice.spawn(Methods.builder().on("make", a -> {
      throw new IllegalStateException("no car today");
    }).build()));

    Promise made = root.send("make");
    Promise driven = made.send("drive");
    Promise parked = driven.send("park", "here");
    for (Promise p : List.of(parked, driven, made)) {
      assertThatThrownBy(() -> await(p))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(BrokenException.class).hasMessageContaining("no car today");
    }
    // A broken answer ends nothing else: the session still carries messages.
    assertThat(await(reach(bob, alice, counter(alice)).send("next"))).isEqualTo(1L);
  }

  @Test
  void sendOnlyIsDeliveredInOrderWithSendsAroundIt() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    List<Object> log = new ArrayList<>(); // vat-confined
    Ref logger = alice.spawn(Methods.builder()
        .on("add", a -> log.add(a.get(0)))
        .on("log", a -> List.copyOf(log))
        .build());
    Ref remote = reach(bob, alice, logger);
    for (long i = 0; i < 300; i++) {
      if (i % 3 == 0) remote.send("add", i);
      else remote.sendOnly("add", i);
    }
    assertThat(await(remote.send("log"))).isEqualTo(LongStream.range(0, 300).boxed().toList());
  }

  @Test
  void oneMebibyteByteArrayRoundTrips() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    byte[] raw = new byte[1 << 20];
    new Random(7).nextBytes(raw);
    Bytes big = Bytes.of(raw);
    Ref remote = reach(bob, alice, echo(alice));
    Object back = await(remote.send("echo", big));
    assertThat(back).isInstanceOf(Bytes.class).isEqualTo(big);
    assertThat(await(remote.send("echo", "small after big"))).isEqualTo("small after big");
  }

  // ---------------------------------------------------------------- sessions and their end

  @Test
  void whenBrokenFiresOnBothSidesWhenAPeerCloses() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Ref aliceEchoAtBob = reach(bob, alice, echo(alice));
    Ref bobEchoAtAlice = reach(alice, bob, echo(bob));
    assertThat(await(bobEchoAtAlice.send("echo", "up"))).isEqualTo("up");
    CompletableFuture<Object> atAlice = new CompletableFuture<>();
    CompletableFuture<Object> atBob = new CompletableFuture<>();
    bobEchoAtAlice.whenBroken(atAlice::complete);
    aliceEchoAtBob.whenBroken(atBob::complete);

    closeWithin(bob, 30);
    // Bob's session ends with his reason, and his op:abort carries it to alice.
    assertThat(atBob.get(30, TimeUnit.SECONDS)).asString().contains("shutting down");
    assertThat(atAlice.get(30, TimeUnit.SECONDS)).asString().contains("shutting down");
    assertThatThrownBy(() -> await(bobEchoAtAlice.send("echo", "down")))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(BrokenException.class);
  }

  @Test
  void closingEveryPeerLeavesNoThreadsOrDescriptorsBehind() throws Exception {
    talkAndClose(); // warm up: the JDK opens some descriptors and threads once, on first use
    long fdsBefore = openFds();
    Set<String> threadsBefore = capnetThreads();

    talkAndClose();

    Set<String> left = new HashSet<>(capnetThreads());
    long fds = openFds();
    for (int i = 0; i < 100 && (fds > fdsBefore || !threadsBefore.containsAll(left)); i++) {
      Thread.sleep(50);
      left = new HashSet<>(capnetThreads());
      fds = openFds();
    }
    left.removeAll(threadsBefore);
    assertThat(left).as("capnet threads still alive after every peer closed").isEmpty();
    assertThat(fds).as("open file descriptors (baseline %d)", fdsBefore).isLessThanOrEqualTo(fdsBefore);
  }

  private void talkAndClose() throws Exception {
    Set<String> others = capnetThreads(); // other tests' threads are not this one's to judge
    Peer alice = peer("alice-" + peers.size());
    Peer bob = peer("bob-" + peers.size());
    Peer carol = peer("carol-" + peers.size());
    Ref atBob = reach(bob, alice, counter(alice));
    Ref atAlice = reach(alice, bob, echo(bob));
    Ref atCarol = reach(carol, bob, echo(bob));
    assertThat(await(atBob.send("next"))).isEqualTo(1L);
    assertThat(await(atAlice.send("echo", "x"))).isEqualTo("x");
    assertThat(await(atCarol.send("echo", atCarol))).isSameAs(atCarol);
    // The leak check can see what it checks for: the vats. A netlayer on the vat's loop has no
    // reader or writer thread at all; one that can only block has both.
    Set<String> ours = new HashSet<>(capnetThreads());
    ours.removeAll(others);
    assertThat(ours).anyMatch(t -> t.contains(" capnet-vat "));
    if (ioOnTheVat()) {
      assertThat(ours).noneMatch(t -> t.contains(" capnet-reader ") || t.contains(" capnet-writer "));
    } else {
      assertThat(ours).anyMatch(t -> t.contains(" capnet-reader ")).anyMatch(t -> t.contains(" capnet-writer "));
    }
    closeWithin(alice, 30);
    closeWithin(bob, 30);
    closeWithin(carol, 30);
  }

  @Test
  void oneSessionPerRemotePeerIsReused() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    // Three enlivens at once, before any session exists, then more once it does.
    List<Promise> first = List.of(
        bob.enliven(alice.export(counter(alice))),
        bob.enliven(alice.export(echo(alice))),
        bob.enliven(alice.export(counter(alice))));
    for (Promise p : first) assertThat(await(p)).isInstanceOf(Ref.class);
    Ref later = reach(bob, alice, counter(alice));
    assertThat(await(later.send("next"))).isEqualTo(1L);
    // The other direction rides the same session.
    Ref back = reach(alice, bob, echo(bob));
    assertThat(await(back.send("echo", "same session"))).isEqualTo("same session");

    assertThat(bob.sessions()).extracting(PeerLocator::designator)
        .containsExactly(alice.locator().designator());
    assertThat(alice.sessions()).extracting(PeerLocator::designator)
        .containsExactly(bob.locator().designator());
  }

  /**
   * Crossed hellos: two peers that dial each other at once must end with one working session
   * between them, and both enlivens must succeed on it. Tried 20 times, as the race is in the
   * timing of the two dials.
   */
  @Test
  void peersEnliveningEachOtherAtOnceGetOneWorkingSession() throws Exception {
    for (int attempt = 0; attempt < 20; attempt++) {
      Peer alice = peer("alice-" + attempt);
      Peer bob = peer("bob-" + attempt);
      Promise bobsEcho = alice.enliven(bob.export(echo(bob)));
      Promise alicesEcho = bob.enliven(alice.export(echo(alice)));
      assertThat(answer(bobsEcho.send("echo", "a"), "attempt " + attempt + ": alice's enliven of bob"))
          .isEqualTo("a");
      assertThat(answer(alicesEcho.send("echo", "b"), "attempt " + attempt + ": bob's enliven of alice"))
          .isEqualTo("b");
      for (int i = 0; i < 100 && (alice.sessions().size() != 1 || bob.sessions().size() != 1); i++) {
        Thread.sleep(50);
      }
      assertThat(alice.sessions()).as("attempt %d: alice's sessions", attempt).hasSize(1);
      assertThat(bob.sessions()).as("attempt %d: bob's sessions", attempt).hasSize(1);
      closeWithin(alice, 30);
      closeWithin(bob, 30);
    }
  }

  /** The settled value, or an assertion failure that names {@code what} and the break reason. */
  private static Object answer(Promise p, String what) throws Exception {
    try {
      return await(p);
    } catch (ExecutionException e) {
      throw new AssertionError(what + " broke: " + e.getCause().getMessage(), e.getCause());
    }
  }

  @Test
  void threePeerHandoffLetsTheReceiverTalkToTheExporterDirectly() throws Exception {
    Peer exporter = peer("exporter");
    Peer gifter = peer("gifter");
    Peer receiver = peer("receiver");
    Ref counter = counter(exporter);
    AtomicReference<Ref> kept = new AtomicReference<>();
    Ref user = receiver.spawn(Methods.builder()
        .on("keep", a -> {
          kept.set((Ref) a.get(0));
          return kept.get().send("next");
        })
        .on("use", a -> kept.get().send("next"))
        .build());

    Ref counterAtGifter = reach(gifter, exporter, counter);
    assertThat(await(counterAtGifter.send("next"))).isEqualTo(1L);
    Ref userAtGifter = reach(gifter, receiver, user);
    assertThat(await(userAtGifter.send("keep", counterAtGifter))).isEqualTo(2L);
    assertThat(receiver.sessions()).extracting(PeerLocator::designator)
        .contains(exporter.locator().designator(), gifter.locator().designator());

    closeWithin(gifter, 30); // the gift must not depend on the gifter any more
    assertThat(await(user.send("use"))).isEqualTo(3L);
    assertThat(await(counter.send("next"))).isEqualTo(4L);
    assertThat(receiver.sessions()).extracting(PeerLocator::designator)
        .containsExactly(exporter.locator().designator());
  }

  // ---------------------------------------------------------------- leak checks

  static long openFds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final Pattern DUMPED_THREAD =
      // A thread's object: "tid", then scalar fields ("time", "virtual", ...), then "name".
      Pattern.compile("\"tid\": \"(\\d+)\"[^{}\\[\\]]*?\"name\": \"((?:[^\"\\\\]|\\\\.)*)\"");

  /**
   * Every live thread whose name starts with {@code capnet-}, as {@code "tid name"}: platform
   * threads from {@link Thread#getAllStackTraces()}, and virtual ones (which it does not list)
   * from a JSON thread dump, which includes every virtual thread the JDK tracks.
   */
  static Set<String> capnetThreads() {
    Set<String> found = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith("capnet-")) found.add(t.threadId() + " " + t.getName());
    }
    try {
      Path dir = Files.createTempDirectory("capnet-threads");
      Path dump = dir.resolve("dump.json");
      try {
        dumpThreadsAsJson(dump);
        Matcher m = DUMPED_THREAD.matcher(Files.readString(dump));
        while (m.find()) {
          if (m.group(2).startsWith("capnet-")) found.add(m.group(1) + " " + m.group(2));
        }
      } finally {
        Files.deleteIfExists(dump);
        Files.delete(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  /**
   * {@code HotSpotDiagnosticMXBean.dumpThreads(file, JSON)}, called reflectively: the tests are
   * compiled into module io.capnet.api, which does not read java.management or jdk.management
   * (they run on the class path, where reflection reaches both).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void dumpThreadsAsJson(Path file) throws IOException {
    try {
      Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
      Class<?> bean = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
      Class format = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
      Object diagnostics = factory.getMethod("getPlatformMXBean", Class.class).invoke(null, bean);
      bean.getMethod("dumpThreads", String.class, format)
          .invoke(diagnostics, file.toString(), Enum.valueOf(format, "JSON"));
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof IOException io) throw io;
      throw new IllegalStateException("thread dump failed", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this JDK cannot dump threads as JSON", e);
    }
  }
}
