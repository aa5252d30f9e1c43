package io.capnet.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.UnixNetlayer;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import io.capnet.value.Descriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The unix netlayer through real daemons: survival, several Switchboards, fds, and scale. */
@Timeout(120)
class UnixNetlayerTest {
  private final SwitchboardFixture fx;

  UnixNetlayerTest() throws Exception {
    fx = new SwitchboardFixture();
  }

  @AfterEach
  void close() throws Exception {
    fx.close();
  }

  private Peer peer(String name, UnixNetlayer netlayer) {
    return fx.track(Peer.builder().name(name).netlayer(netlayer).build());
  }

  private static Ref echo(Peer p) {
    return p.spawn(Methods.builder().on("echo", a -> a.get(0)).build());
  }

  static long openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  static void assertFdsReturnTo(long baseline) throws Exception {
    long now = openFds();
    for (int i = 0; i < 200 && now > baseline; i++) {
      Thread.sleep(25);
      now = openFds();
    }
    assertThat(now).as("open fds (baseline %d)", baseline).isLessThanOrEqualTo(baseline);
  }

  @Test
  void sessionKeepsWorkingAfterTheSwitchboardExits() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Peer alice = peer("alice", UnixNetlayer.open(d.socketPath()));
    Peer bob = peer("bob", UnixNetlayer.open(d.socketPath()));
    Ref remote = (Ref) bob.enliven(alice.export(echo(alice))).future().get(10, TimeUnit.SECONDS);
    assertThat(remote.send("echo", "before").future().get(10, TimeUnit.SECONDS)).isEqualTo("before");
    d.close();
    assertThat(Files.exists(d.socketPath())).isFalse();
    assertThat(remote.send("echo", "after").future().get(10, TimeUnit.SECONDS)).isEqualTo("after");
  }

  @Test
  void peerRegisteredWithSeveralSwitchboardsIsReachedThroughAnyOfThem() throws Exception {
    SwitchboardDaemon one = fx.daemon("one", b -> {});
    SwitchboardDaemon two = fx.daemon("two", b -> {});
    Peer alice = peer("alice", UnixNetlayer.open(one.socketPath(), two.socketPath()));
    Peer viaTwo = peer("bob", UnixNetlayer.open(two.socketPath()));
    Ref remote = (Ref) viaTwo.enliven(alice.export(echo(alice))).future().get(10, TimeUnit.SECONDS);
    assertThat(remote.send("echo", "hi").future().get(10, TimeUnit.SECONDS)).isEqualTo("hi");
    assertThat(one.registrations()).isEqualTo(1);
    assertThat(two.registrations()).isEqualTo(2);
    assertThat(alice.locator().hints()).containsEntry(UnixNetlayer.SWITCHBOARDS_HINT,
        one.locator().designator() + "," + two.locator().designator());
  }

  @Test
  void connectFailsWithEachSwitchboardsReasonWhenNoneKnowsThePeer() throws Exception {
    SwitchboardDaemon one = fx.daemon("one", b -> {});
    SwitchboardDaemon two = fx.daemon("two", b -> {});
    Peer alice = peer("alice", UnixNetlayer.open(one.socketPath()));
    Peer bob = peer("bob", UnixNetlayer.open(two.socketPath()));
    assertThatThrownBy(() -> bob.enliven(alice.export(echo(alice))).future().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("no Switchboard could introduce " + alice.locator().designator())
        .hasMessageContaining("NOT_FOUND");
  }

  @Test
  void descriptorPassesInACaptpMessage() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Peer writer = peer("writer", UnixNetlayer.open(d.socketPath()));
    Peer sender = peer("sender", UnixNetlayer.open(d.socketPath()));
    Ref writeTo = writer.spawn(Methods.builder().on("write", a -> {
      try (Descriptor fd = (Descriptor) a.get(0); FileOutputStream out = new FileOutputStream(fd.fileDescriptor())) {
        out.write(((String) a.get(1)).getBytes(StandardCharsets.UTF_8));
      }
      return "written";
    }).build());
    Path file = fx.dir.resolve("out.txt");
    FileOutputStream opened = new FileOutputStream(file.toFile());
    Descriptor fd = Descriptor.adopt(opened.getFD());
    Ref remote = (Ref) sender.enliven(writer.export(writeTo)).future().get(10, TimeUnit.SECONDS);
    assertThat(remote.send("write", fd, "through a passed fd").future().get(10, TimeUnit.SECONDS)).isEqualTo("written");
    assertThat(Files.readString(file)).isEqualTo("through a passed fd");
    assertThat(fd.isOpen()).as("a sent descriptor moves with its message").isFalse();
  }

  @Test
  void thousandIntroductionsLeakNoFileDescriptors() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard server = fx.client(d);
    Switchboard client = fx.client(d);
    java.util.concurrent.LinkedBlockingQueue<Switchboard.Introduction> arrived = new java.util.concurrent.LinkedBlockingQueue<>();
    server.serve(Labels.of("svc", "leak"), arrived::add);
    introduce(client, arrived, 20); // warm up
    long baseline = openFds();
    introduce(client, arrived, 1000);
    assertFdsReturnTo(baseline);
  }

  private static void introduce(Switchboard client, java.util.concurrent.BlockingQueue<Switchboard.Introduction> arrived,
      int n) throws Exception {
    ByteBuffer one = ByteBuffer.allocate(1);
    for (int i = 0; i < n; i++) {
      Switchboard.Introduction mine = client.connect(Labels.of("svc", "leak"));
      Switchboard.Introduction theirs = arrived.poll(10, TimeUnit.SECONDS);
      try (UnixSocket a = UnixSockets.channel(mine.socket()); UnixSocket b = UnixSockets.channel(theirs.socket())) {
        a.channel().write(ByteBuffer.wrap(new byte[] {(byte) i}));
        one.clear();
        b.channel().read(one);
        assertThat(one.get(0)).isEqualTo((byte) i);
      }
    }
  }

  @Test
  void thousandConcurrentClientsAreAllServed() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard server = fx.client(d);
    server.serve(Labels.of("svc", "many"), intro -> {
      try (UnixSocket s = UnixSockets.channel(intro.socket())) {
        s.channel().write(ByteBuffer.wrap(intro.labels().get("client_id").orElse("?").getBytes(StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    int clients = 1000;
    List<Switchboard> open = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
      List<Future<Switchboard>> opening = new ArrayList<>();
      for (int i = 0; i < clients; i++) opening.add(pool.submit(() -> Switchboard.open(d.socketPath())));
      for (Future<Switchboard> f : opening) open.add(f.get(60, TimeUnit.SECONDS));
      // All 1,000 sessions are up at once; now each connects.
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Switchboard c = open.get(i);
        String id = Integer.toString(i);
        answers.add(pool.submit(() -> {
          Switchboard.Introduction intro = c.constrain(c.rights(), Labels.empty(), Labels.of("client_id", id))
              .connect(Labels.of("svc", "many"));
          try (UnixSocket s = UnixSockets.channel(intro.socket())) {
            ByteBuffer b = ByteBuffer.allocate(16);
            while (s.channel().read(b) > 0) {}
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
          }
        }));
      }
      for (int i = 0; i < clients; i++) assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(Integer.toString(i));
    } finally {
      open.forEach(Switchboard::close);
    }
  }
}
