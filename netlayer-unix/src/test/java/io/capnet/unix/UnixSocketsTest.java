package io.capnet.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.netlayer.FdCount;
import io.capnet.value.Descriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.FileDescriptorCast;

@Timeout(60)
class UnixSocketsTest {
  private long baseline;

  @BeforeAll
  static void warmUp() throws IOException {
    UnixTestConnections.warmUp();
  }

  @BeforeEach
  void countFds() {
    baseline = FdCount.open();
  }

  @AfterEach
  void nothingLeaked() throws InterruptedException {
    FdCount.assertReturnsTo(baseline);
  }

  static void write(UnixSocket s, String text) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (b.hasRemaining()) s.channel().write(b);
  }

  static String read(UnixSocket s, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (s.channel().read(b) < 0) break;
    }
    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
  }

  private static Descriptor dup(Descriptor d) throws IOException {
    return Descriptor.adopt(FileDescriptorCast.duplicating(d.fileDescriptor()).getFileDescriptor());
  }

  @Test
  void theEndsOfAPairAreConnectedBothWays() throws Exception {
    UnixSockets.Pair p = UnixSockets.pair();
    try (UnixSocket a = UnixSockets.channel(p.first()); UnixSocket b = UnixSockets.channel(p.second())) {
      assertThat(a.channel().isBlocking()).isTrue();
      write(a, "ping");
      assertThat(read(b, 4)).isEqualTo("ping");
      write(b, "pong");
      assertThat(read(a, 4)).isEqualTo("pong");
      assertThat(a.peerCredentials().orElseThrow().pid()).isEqualTo(ProcessHandle.current().pid());
    }
  }

  @Test
  void aThousandPairsFromFourThreadsAreDistinctConnectedAndLeakNothing() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(threads.submit(() -> {
          for (int i = 0; i < 250; i++) {
            UnixSockets.Pair p = UnixSockets.pair();
            try (UnixSocket a = UnixSockets.channel(p.first()); UnixSocket b = UnixSockets.channel(p.second())) {
              String tag = thread + ":" + i + ";";
              write(a, tag);
              assertThat(read(b, tag.length())).isEqualTo(tag);
            }
          }
          return null;
        }));
      }
      for (Future<Void> f : done) f.get(50, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void closeShutsTheSocketDownForEveryCopyOfIt() throws Exception {
    UnixSockets.Pair p = UnixSockets.pair();
    Descriptor copy = dup(p.first());
    try (UnixSocket other = UnixSockets.channel(copy); UnixSocket peer = UnixSockets.channel(p.second())) {
      UnixSockets.channel(p.first()).close();
      assertThat(p.first().isOpen()).isFalse();
      // The copy is still an open descriptor, but the socket behind it is shut down.
      assertThat(copy.isOpen()).isTrue();
      assertThat(other.channel().read(ByteBuffer.allocate(1))).isEqualTo(-1);
      assertThat(peer.channel().read(ByteBuffer.allocate(1))).isEqualTo(-1);
    }
  }

  @Test
  void releaseClosesOnlyThisDescriptorAndLeavesOtherCopiesWorking() throws Exception {
    // Trap 1: a side that passed a socket on must let go without shutting it down.
    UnixSockets.Pair p = UnixSockets.pair();
    Descriptor copy = dup(p.first());
    try (UnixSocket other = UnixSockets.channel(copy); UnixSocket peer = UnixSockets.channel(p.second())) {
      UnixSocket mine = UnixSockets.channel(p.first());
      mine.release();
      mine.close(); // no-op after release
      assertThat(p.first().isOpen()).isFalse();
      write(other, "still up");
      assertThat(read(peer, 8)).isEqualTo("still up");
      write(peer, "both ways");
      assertThat(read(other, 9)).isEqualTo("both ways");
    }
  }

  @Test
  void releasingAChannelJunixsocketOpenedLeavesOtherCopiesWorking(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("s.sock");
    try (AFUNIXServerSocketChannel listener = AFUNIXServerSocketChannel.open()) {
      listener.bind(AFUNIXSocketAddress.of(path));
      UnixSocket client = UnixSockets.connect(path);
      try (UnixSocket server = UnixSockets.adopt(listener.accept());
          UnixSocket copy = UnixSockets.channel(Descriptor.adopt(
              FileDescriptorCast.duplicating(client.channel().getFileDescriptor()).getFileDescriptor()))) {
        client.release();
        assertThat(client.channel().getFileDescriptor().valid()).isFalse();
        write(copy, "ok");
        assertThat(read(server, 2)).isEqualTo("ok");
      }
    }
  }

  @Test
  void aChannelClosesItsDescriptorExactlyOnce() throws Exception {
    // Trap 2: junixsocket's cast channels never close the descriptor they were made from.
    UnixSockets.Pair p = UnixSockets.pair();
    UnixSocket a = UnixSockets.channel(p.first());
    a.close();
    a.close();
    assertThat(p.first().isOpen()).isFalse();
    p.second().close();
  }

  @Test
  void aDescriptorThatIsNotASocketIsRefusedAndLeftOpen() throws Exception {
    try (FileInputStream in = new FileInputStream("/dev/null")) {
      Descriptor d = Descriptor.adopt(in.getFD());
      assertThatThrownBy(() -> UnixSockets.channel(d))
          .isInstanceOf(IOException.class)
          .hasMessage("the descriptor is not an AF_UNIX stream socket");
      assertThat(d.isOpen()).isTrue();
    }
  }

  @Test
  void anInheritedDescriptorNumberBecomesAnOwnedChannel() throws Exception {
    UnixSockets.Pair p = UnixSockets.pair();
    // What a parent process would leave at a known number: here a fresh duplicate of one end.
    int number = FileDescriptorCast.duplicating(p.first().fileDescriptor()).as(Integer.class);
    p.first().close();
    try (UnixSocket inherited = UnixSockets.fromInheritedFd(number); UnixSocket peer = UnixSockets.channel(p.second())) {
      write(inherited, "from fd " + number);
      assertThat(read(peer, ("from fd " + number).length())).isEqualTo("from fd " + number);
    }
  }

  @Test
  void connectReachesAListenerOnASocketFile(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("switchboard.sock");
    try (AFUNIXServerSocketChannel listener = AFUNIXServerSocketChannel.open()) {
      listener.bind(AFUNIXSocketAddress.of(path));
      try (UnixSocket client = UnixSockets.connect(path);
          UnixSocket server = UnixSockets.adopt(listener.accept())) {
        write(client, "hello");
        assertThat(read(server, 5)).isEqualTo("hello");
        assertThat(server.peerCredentials().orElseThrow().pid()).isEqualTo(ProcessHandle.current().pid());
      }
    }
  }
}
