package io.capnet.tcptls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.capnet.captp.BrokenException;
import io.capnet.captp.LeakProbe;
import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.locator.PeerLocator;
import io.capnet.locator.Sturdyref;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tcp-tls handshakes of a {@code Peer} run in its vat's loop: a client that connects and
 * says nothing, or hundreds of them, cost no thread and hold up no one; a dial to a server that
 * never answers fails at the deadline with no thread of its own. Threads are counted while the
 * handshakes are pending (the old design held two threads per pending handshake for its whole
 * wait), descriptors before and after.
 */
class LoopHandshakeTest {
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final BlockingQueue<String> rejected = new LinkedBlockingQueue<>();

  @BeforeAll
  static void warmUp() throws Exception {
    // The JDK's first TLS handshake loads providers and starts its own threads: not ours to count.
    LoopHandshakeTest t = new LoopHandshakeTest();
    try {
      Peer server = t.server(TcpTlsOptions.DEFAULT);
      t.roundTrip(server, "warm");
    } finally {
      t.closeAll();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    toClose.clear();
  }

  private Peer server(TcpTlsOptions options) throws IOException {
    TcpTlsNetlayer n = (TcpTlsNetlayer) TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0, options);
    n.onRejected(rejected::add);
    Peer p = Peer.builder().name("server").netlayer(n).build();
    toClose.add(p::close);
    return p;
  }

  private Peer client(TcpTlsOptions options) throws IOException {
    Peer p = Peer.builder().name("client").netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0, options))
        .build();
    toClose.add(p::close);
    return p;
  }

  /** A fresh client peer enlivens an echo at {@code server} and gets its answer. */
  private void roundTrip(Peer server, String word) throws Exception {
    Sturdyref echo = server.export(server.spawn(Methods.builder().on("echo", a -> a.get(0)).build()));
    Peer client = client(TcpTlsOptions.DEFAULT);
    Ref remote = (Ref) client.enliven(echo).future().get(20, TimeUnit.SECONDS);
    assertThat(remote.send("echo", word).future().get(20, TimeUnit.SECONDS)).isEqualTo(word);
  }

  private static int port(Peer p) {
    return Integer.parseInt(p.locator().hint("port").orElseThrow());
  }

  private Socket raw(Peer server) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port(server));
    s.setSoTimeout(20_000);
    toClose.add(s);
    return s;
  }

  private String rejection() throws InterruptedException {
    String r = rejected.poll(20, TimeUnit.SECONDS);
    assertThat(r).as("the listener's reason for refusing the connection").isNotNull();
    return r;
  }

  private static final Pattern DUMPED_THREAD =
      Pattern.compile("\"tid\": \"(\\d+)\"[^{}\\[\\]]*?\"name\": \"((?:[^\"\\\\]|\\\\.)*)\"");

  /** Every live thread, platform and virtual (from a JSON thread dump), as "tid name". */
  static List<String> allThreads() throws IOException {
    List<String> found = new ArrayList<>();
    Path dir = Files.createTempDirectory("capnet-threads");
    Path dump = dir.resolve("dump.json");
    try {
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
      Matcher m = DUMPED_THREAD.matcher(Files.readString(dump));
      while (m.find()) found.add(m.group(1) + " " + m.group(2));
    } finally {
      Files.deleteIfExists(dump);
      Files.delete(dir);
    }
    return found;
  }

  /** Threads whose name says they serve one connection's connect or handshake. */
  static List<String> perConnectionThreads() throws IOException {
    return allThreads().stream()
        .filter(t -> t.contains("handshake") || t.contains("connect") || t.contains("deadline"))
        .toList();
  }

  /** The accept loop has taken every pending connection: the kernel's accept queue is empty. */
  private static void awaitAccepted(Peer server, int expected) throws Exception {
    // ss counts established sockets on the listening port; each accepted one is one of ours too.
    for (int i = 0; i < 200; i++) {
      if (countEstablished(port(server)) >= expected) break;
      Thread.sleep(20);
    }
    Thread.sleep(300); // the accept loop hands each to the vat, which starts its handshake
  }

  private static long countEstablished(int port) throws IOException {
    // /proc/net/tcp: local address column "0100007F:PORT", state 01 = ESTABLISHED
    String hex = String.format(":%04X ", port);
    return Files.readAllLines(Path.of("/proc/net/tcp")).stream()
        .filter(l -> {
          String[] f = l.trim().split("\\s+");
          return f.length > 3 && (f[1] + " ").endsWith(hex) && f[3].equals("01");
        })
        .count();
  }

  private static boolean closedByPeer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      return in.read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  @Test
  @Timeout(60)
  void aSilentClientIsDroppedAtTheDeadlineAndNoThreadIsMadeForIt() throws Exception {
    Peer server = server(TcpTlsOptions.DEFAULT.withHandshakeTimeout(Duration.ofMillis(1500)));
    long fds = LeakProbe.openFds();
    int threads = allThreads().size();
    var capnet = LeakProbe.capnetThreads();

    long start = System.nanoTime();
    Socket silent = raw(server); // connects, then never sends a byte
    // Sampled all through the wait, until the listener closes the socket at the deadline.
    List<String> seen = new ArrayList<>();
    int most = 0;
    boolean closed = false;
    silent.setSoTimeout(100);
    while (!closed && System.nanoTime() - start < 15_000_000_000L) {
      seen.addAll(perConnectionThreads());
      most = Math.max(most, allThreads().size());
      assertThat(LeakProbe.capnetThreads()).as("capnet threads while the handshake is pending").isEqualTo(capnet);
      try {
        closed = silent.getInputStream().read() == -1;
      } catch (java.net.SocketTimeoutException stillOpen) {
        // sample again
      } catch (SocketException reset) {
        closed = true;
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(closed).as("the listener closed the silent client").isTrue();
    assertThat(seen).as("threads made for the pending handshake").isEmpty();
    // Slack for the JDK's own (a carrier thread); the old design added 2 for the whole wait.
    assertThat(most).as("most threads while the handshake was pending").isLessThanOrEqualTo(threads + 1);
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1400)).isLessThan(Duration.ofSeconds(10));
    assertThat(rejection()).startsWith("tcp-tls handshake from 127.0.0.1:")
        .endsWith("failed: the TLS handshake did not finish within 1500 ms");

    silent.close();
    long now = LeakProbe.openFds();
    for (int i = 0; i < 100 && now > fds; i++) {
      Thread.sleep(20);
      now = LeakProbe.openFds();
    }
    assertThat(now).as("open descriptors (baseline %d)", fds).isLessThanOrEqualTo(fds);
    roundTrip(server, "still serving");
  }

  @Test
  @Timeout(90)
  void twoHundredHalfOpenHandshakesDoNotStopAGoodClient() throws Exception {
    Peer server = server(TcpTlsOptions.DEFAULT.withHandshakeTimeout(Duration.ofSeconds(30)));
    long fds = LeakProbe.openFds();
    var capnet = LeakProbe.capnetThreads();
    int threads = allThreads().size();
    List<Socket> halfOpen = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Socket s = raw(server);
      if (i % 2 == 1) { // half stall inside a ClientHello record, half say nothing
        s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x01, 0x00, 0x01});
        s.getOutputStream().flush();
      }
      halfOpen.add(s);
    }
    awaitAccepted(server, 200);
    assertThat(perConnectionThreads()).as("threads made for 200 pending handshakes").isEmpty();
    assertThat(LeakProbe.capnetThreads()).as("capnet threads with 200 pending handshakes").isEqualTo(capnet);
    assertThat(allThreads().size()).as("all threads with 200 pending handshakes").isLessThanOrEqualTo(threads + 1);

    long start = System.nanoTime();
    roundTrip(server, "served past 200 half-open handshakes");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(rejected).as("nothing refused yet: the half-open handshakes are still pending").isEmpty();

    for (Socket s : halfOpen) s.close();
    for (int i = 0; i < 200; i++) {
      assertThat(rejection()).startsWith("tcp-tls handshake from 127.0.0.1:")
          .contains("the peer closed the connection during the TLS handshake");
    }
    closeAll();
    long now = LeakProbe.openFds();
    for (int i = 0; i < 100 && now > fds; i++) {
      Thread.sleep(20);
      now = LeakProbe.openFds();
    }
    assertThat(now).as("open descriptors (baseline %d)", fds).isLessThanOrEqualTo(fds);
  }

  @Test
  @Timeout(60)
  void handshakesPastMaxHandshakesAreClosedAtOnceAndTheListenerGoesOn() throws Exception {
    Peer server = server(TcpTlsOptions.DEFAULT.withHandshakeTimeout(Duration.ofSeconds(30)).withMaxHandshakes(5));
    List<Socket> pending = new ArrayList<>();
    for (int i = 0; i < 5; i++) pending.add(raw(server));
    awaitAccepted(server, 5);
    for (int i = 0; i < 3; i++) {
      Socket over = raw(server);
      assertThat(closedByPeer(over)).as("connection %d past the limit is closed", i).isTrue();
      assertThat(rejection()).startsWith("tcp-tls handshake from 127.0.0.1:")
          .endsWith("over 5 TLS handshakes in progress (maxHandshakes)");
    }
    for (Socket s : pending) s.close();
    for (int i = 0; i < 5; i++) assertThat(rejection()).contains("the peer closed the connection during the TLS handshake");
    roundTrip(server, "served once the handshakes in progress ended");
  }

  @Test
  @Timeout(60)
  void aWrongKeyIsRefusedWithTheSameReasonAsBefore() throws Exception {
    Peer server = server(TcpTlsOptions.DEFAULT);
    Sturdyref real = server.export(server.spawn(Methods.builder().on("echo", a -> a.get(0)).build()));
    TlsIdentity someoneElse = TlsIdentity.generate();
    Sturdyref wrong = real.withPeer(PeerLocator.of(someoneElse.designator(), TcpTls.TRANSPORT, real.peer().hints()));
    Peer client = client(TcpTlsOptions.DEFAULT);
    assertThatThrownBy(() -> client.enliven(wrong).future().get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(BrokenException.class)
        .hasMessageContaining("tcp-tls handshake with 127.0.0.1:" + port(server) + " failed: the server's key is designator "
            + server.locator().designator() + ", not the dialled designator " + someoneElse.designator());
    // The dialler refused before showing its certificate: the listener sees its alert or the close.
    assertThat(rejection()).startsWith("tcp-tls handshake from 127.0.0.1:");
    assertThat(server.sessions()).isEmpty();
    assertThat(perConnectionThreads()).isEmpty();
    roundTrip(server, "after the wrong key");
  }

  @Test
  @Timeout(60)
  void aDialToAServerThatNeverAnswersFailsAtTheDeadlineWithNoThreadOfItsOwn() throws Exception {
    try (ServerSocket mute = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Peer client = client(TcpTlsOptions.DEFAULT.withHandshakeTimeout(Duration.ofMillis(1500)));
      long fds = LeakProbe.openFds();
      var capnet = LeakProbe.capnetThreads();
      PeerLocator there = PeerLocator.of(TlsIdentity.generate().designator(), TcpTls.TRANSPORT,
          Map.of("host", "127.0.0.1", "port", Integer.toString(mute.getLocalPort())));
      long start = System.nanoTime();
      var answer = client.enliven(Sturdyref.of(there, "x")).future();
      Thread.sleep(500);
      assertThat(answer).isNotDone();
      assertThat(perConnectionThreads()).as("threads made for the pending dial").isEmpty();
      assertThat(LeakProbe.capnetThreads()).as("capnet threads while the dial is pending").isEqualTo(capnet);
      assertThatThrownBy(() -> answer.get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(BrokenException.class)
          .hasMessageContaining("tcp-tls handshake with 127.0.0.1:" + mute.getLocalPort()
              + " failed: the TLS handshake did not finish within 1500 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1400))
          .isLessThan(Duration.ofSeconds(10));
      long now = LeakProbe.openFds();
      for (int i = 0; i < 100 && now > fds; i++) {
        Thread.sleep(20);
        now = LeakProbe.openFds();
      }
      // The mute server's kernel queue still holds its end, which is not ours: only ours must be gone.
      assertThat(now).as("open descriptors (baseline %d)", fds).isLessThanOrEqualTo(fds);
    }
  }

  @Test
  @Timeout(60)
  void aDialToAClosedPortFailsNamingHostAndPort() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Peer client = client(TcpTlsOptions.DEFAULT);
    PeerLocator there = PeerLocator.of(TlsIdentity.generate().designator(), TcpTls.TRANSPORT,
        Map.of("host", "127.0.0.1", "port", Integer.toString(port)));
    assertThatThrownBy(() -> client.enliven(Sturdyref.of(there, "x")).future().get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(BrokenException.class)
        .hasMessageContaining("cannot connect to tcp-tls peer at 127.0.0.1:" + port
            + ": java.net.ConnectException: Connection refused");
  }

  @Test
  @Timeout(60)
  void closingThePeerAbortsAHandshakeInProgress() throws Exception {
    Peer server = server(TcpTlsOptions.DEFAULT);
    long fds = LeakProbe.openFds();
    Socket silent = raw(server);
    awaitAccepted(server, 1);
    long start = System.nanoTime();
    server.close();
    assertThat(closedByPeer(silent)).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    silent.close();
    long now = LeakProbe.openFds();
    for (int i = 0; i < 100 && now > fds; i++) {
      Thread.sleep(20);
      now = LeakProbe.openFds();
    }
    // The server peer's own listening socket and selector are gone too.
    assertThat(now).as("open descriptors (baseline %d)", fds).isLessThan(fds);
  }
}
