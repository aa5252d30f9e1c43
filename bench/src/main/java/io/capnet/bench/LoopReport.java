package io.capnet.bench;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.netlayer.InMemoryNetwork;
import io.capnet.netlayer.Netlayer;
import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.unix.Switchboard;
import io.capnet.unix.UnixNetlayer;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./capnet bench loop}: the event loop's round trips and sendOnly throughput against raw
 * baselines, all in one JVM and interleaved: each round measures every row once, in turn, and
 * the report gives each ratio's median over the rounds (a ratio is taken within one round, so a
 * machine that gets busier between rounds moves both sides). Latency rows are the median of
 * single round trips; "from the vat" rows chain each send in the answer's reaction, in the vat.
 */
public final class LoopReport {
  static final int ROUNDS = 5;
  static final int ROUND_TRIPS = 20_000;
  static final int SEND_ONLY = 1_000_000;
  static final byte[] PAYLOAD = CaptpRoundTripBench.PAYLOAD.getBytes(StandardCharsets.UTF_8);

  private LoopReport() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : ROUNDS;
    UnixBenchSupport.quietLogs();
    Path dir = UnixBenchSupport.tempDir();
    List<AutoCloseable> closing = new ArrayList<>();
    try {
      SwitchboardDaemon daemon = UnixBenchSupport.daemon(dir);
      closing.add(daemon);
      Pair unix = unixPeers(daemon, closing);
      InMemoryNetwork memory = InMemoryNetwork.create();
      Pair tcp = peers("tcp-testing-only", memory, closing);
      Pair mem = peers("memory", memory, closing);
      RawUnix rawUnix = new RawUnix(false);
      RawUnix oneRead = new RawUnix(true);
      RawTcp rawTcp = new RawTcp();
      QueuePingPong queue = new QueuePingPong();
      closing.add(rawUnix);
      closing.add(oneRead);
      closing.add(rawTcp);
      closing.add(queue);

      Map<String, List<Double>> figures = new LinkedHashMap<>();
      for (int r = 0; r <= rounds; r++) { // round 0 warms up and is dropped
        Map<String, Double> round = new LinkedHashMap<>();
        round.put("raw unix echo, frames cut from one read", latency(rawUnix::pingPong));
        round.put("raw unix echo, one read per frame, unframed", latency(oneRead::pingPong));
        round.put("CapTP unix, blocking caller", latency(unix::blocking));
        round.put("CapTP unix, from the vat", unix.fromVat());
        round.put("raw tcp echo (NODELAY), frames cut", latency(rawTcp::pingPong));
        round.put("CapTP tcp-testing-only, blocking caller", latency(tcp::blocking));
        round.put("CapTP tcp-testing-only, from the vat", tcp.fromVat());
        round.put("CapTP tcp-testing-only, enliven + first call", latency(tcp::enlivenAndCall));
        round.put("two-thread queue ping-pong", latency(queue::pingPong));
        round.put("CapTP in-memory, from the vat", mem.fromVat());
        round.put("CapTP in-memory, blocking caller", latency(mem::blocking));
        round.put("sendOnly unix (msgs/s)", unix.sendOnlyRate());
        round.put("sendOnly tcp-testing-only (msgs/s)", tcp.sendOnlyRate());
        if (r == 0) continue;
        round.forEach((k, v) -> figures.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        System.out.printf("round %d: %s%n", r, round);
      }
      report(figures);
    } finally {
      for (int i = closing.size() - 1; i >= 0; i--) UnixBenchSupport.closeQuietly(closing.get(i));
      UnixBenchSupport.delete(dir);
    }
  }

  private static void report(Map<String, List<Double>> f) {
    System.out.printf("%n%-46s %12s %s%n", "measure (median over rounds)", "value", "ratio to its baseline (median of per-round ratios), target");
    row(f, "raw unix echo, frames cut from one read", null, null, 0);
    row(f, "raw unix echo, one read per frame, unframed", "raw unix echo, frames cut from one read", "(cross-check)", 0);
    row(f, "CapTP unix, blocking caller", "raw unix echo, frames cut from one read", "<= 4x", 4);
    row(f, "CapTP unix, from the vat", "raw unix echo, frames cut from one read", "<= 2x", 2);
    row(f, "raw tcp echo (NODELAY), frames cut", null, null, 0);
    row(f, "CapTP tcp-testing-only, blocking caller", "raw tcp echo (NODELAY), frames cut", "(reference)", 0);
    row(f, "CapTP tcp-testing-only, from the vat", "raw tcp echo (NODELAY), frames cut", "<= 2x", 2);
    row(f, "CapTP tcp-testing-only, enliven + first call", "CapTP tcp-testing-only, blocking caller",
        "one round trip: <= 1.5x (two would be 2x)", 1.5);
    row(f, "two-thread queue ping-pong", null, null, 0);
    row(f, "CapTP in-memory, from the vat", "two-thread queue ping-pong", "<= 1.5x", 1.5);
    row(f, "CapTP in-memory, blocking caller", "two-thread queue ping-pong", "(reference: four hand-offs)", 0);
    System.out.printf("%-46s %,12.0f %s%n", "sendOnly unix (msgs/s)", median(f.get("sendOnly unix (msgs/s)")),
        "target >= 3,000,000/s");
    System.out.printf("%-46s %,12.0f %s%n", "sendOnly tcp-testing-only (msgs/s)",
        median(f.get("sendOnly tcp-testing-only (msgs/s)")), "target >= 2,000,000/s");
    System.out.printf("%nLatencies in us. Each round measures every row once, in this order; ratios are taken"
        + " within a round.%n");
  }

  private static void row(Map<String, List<Double>> f, String name, String baseline, String target, double limit) {
    List<Double> v = f.get(name);
    if (baseline == null) {
      System.out.printf("%-46s %9.2f us  (baseline) rounds %s%n", name, median(v), v);
      return;
    }
    List<Double> b = f.get(baseline);
    double[] ratios = new double[v.size()];
    for (int i = 0; i < ratios.length; i++) ratios[i] = v.get(i) / b.get(i);
    double ratio = median(ratios);
    String verdict = limit > 0 ? (ratio <= limit ? " met" : " NOT met") : "";
    System.out.printf("%-46s %9.2f us  %.2fx %s%s  ratios %s%n", name, median(v), ratio, target, verdict,
        Arrays.toString(Arrays.stream(ratios).map(x -> Math.round(x * 100) / 100.0).toArray()));
  }

  static double median(List<Double> v) {
    return median(v.stream().mapToDouble(Double::doubleValue).toArray());
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  interface Op {
    void run() throws Exception;
  }

  /** The median of {@link #ROUND_TRIPS} single round trips, in microseconds. */
  static double latency(Op op) throws Exception {
    for (int i = 0; i < ROUND_TRIPS / 10; i++) op.run();
    double[] t = new double[ROUND_TRIPS];
    for (int i = 0; i < t.length; i++) {
      long start = System.nanoTime();
      op.run();
      t[i] = (System.nanoTime() - start) / 1000.0;
    }
    return median(t);
  }

  private static Pair unixPeers(SwitchboardDaemon daemon, List<AutoCloseable> closing) throws Exception {
    Switchboard a = Switchboard.open(daemon.socketPath());
    Switchboard b = Switchboard.open(daemon.socketPath());
    closing.add(a);
    closing.add(b);
    return new Pair(UnixNetlayer.create(a), UnixNetlayer.create(b), closing);
  }

  private static Pair peers(String transport, InMemoryNetwork memory, List<AutoCloseable> closing) throws Exception {
    return new Pair(BenchNetlayers.of(transport, memory, "alice-" + transport),
        BenchNetlayers.of(transport, memory, "bob-" + transport), closing);
  }

  /** Bob holds alice's echo and counter objects. */
  static final class Pair {
    final Peer alice;
    final Peer bob;
    final Ref echo;
    final Ref counter;
    final io.capnet.locator.Sturdyref echoSturdyref;
    final AtomicLong counted = new AtomicLong();
    volatile CompletableFuture<Void> countedAll;
    volatile long countTo;

    Pair(Netlayer aliceNet, Netlayer bobNet, List<AutoCloseable> closing) throws Exception {
      alice = Peer.builder().name("alice").netlayer(aliceNet).build();
      bob = Peer.builder().name("bob").netlayer(bobNet).build();
      closing.add(alice);
      closing.add(bob);
      Ref e = alice.spawn(Methods.builder().on("echo", x -> x.get(0)).build());
      Ref c = alice.spawn(Methods.builder().on("count", x -> {
        if (counted.incrementAndGet() == countTo) countedAll.complete(null);
        return null;
      }).build());
      echoSturdyref = alice.export(e);
      echo = (Ref) bob.enliven(echoSturdyref).future().get(10, TimeUnit.SECONDS);
      counter = (Ref) bob.enliven(alice.export(c)).future().get(10, TimeUnit.SECONDS);
    }

    /** A fetch on the open session and a call pipelined behind it: one round trip, not two. */
    void enlivenAndCall() throws Exception {
      bob.enliven(echoSturdyref).send("echo", CaptpRoundTripBench.PAYLOAD).future().get(10, TimeUnit.SECONDS);
    }

    void blocking() throws Exception {
      echo.send("echo", CaptpRoundTripBench.PAYLOAD).future().get(10, TimeUnit.SECONDS);
    }

    /** Microseconds per round trip when each answer's reaction, in bob's vat, sends the next. */
    double fromVat() throws Exception {
      chain(ROUND_TRIPS / 10);
      int blocks = 20;
      int per = ROUND_TRIPS / blocks;
      double[] t = new double[blocks];
      for (int i = 0; i < blocks; i++) {
        long start = System.nanoTime();
        chain(per);
        t[i] = (System.nanoTime() - start) / 1000.0 / per;
      }
      return median(t);
    }

    private void chain(int n) throws Exception {
      CompletableFuture<Void> done = new CompletableFuture<>();
      bob.execute(() -> step(n, done));
      done.get(60, TimeUnit.SECONDS);
    }

    private void step(int left, CompletableFuture<Void> done) {
      echo.send("echo", CaptpRoundTripBench.PAYLOAD).future().whenComplete((v, e) -> {
        if (e != null) done.completeExceptionally(e);
        else if (left == 1) done.complete(null);
        else step(left - 1, done);
      });
    }

    double sendOnlyRate() throws Exception {
      counted.set(0);
      countTo = SEND_ONLY;
      countedAll = new CompletableFuture<>();
      long start = System.nanoTime();
      bob.execute(() -> {
        for (int i = 0; i < SEND_ONLY; i++) counter.sendOnly("count");
      });
      countedAll.get(120, TimeUnit.SECONDS);
      return SEND_ONLY / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** A junixsocket socket pair, blocking, with a platform echo thread. */
  static final class RawUnix implements AutoCloseable {
    final UnixSocket client;
    final UnixSocket server;
    final ByteBuffer request = FramedEcho.frame(PAYLOAD);
    final ByteBuffer reply = ByteBuffer.allocateDirect(1 << 16);
    final Thread echo;
    final boolean oneRead;
    volatile boolean closing;

    RawUnix(boolean oneRead) throws IOException {
      this.oneRead = oneRead;
      UnixSockets.Pair p = UnixSockets.pair();
      client = UnixSockets.channel(p.first());
      server = UnixSockets.channel(p.second());
      ByteChannel s = server.channel();
      echo = Thread.ofPlatform().daemon(true).name("raw-unix-echo").start(() -> {
        if (oneRead) FramedEcho.serveOneRead(s, () -> closing);
        else FramedEcho.serve(s, () -> closing);
      });
    }

    void pingPong() throws IOException {
      if (!oneRead) {
        FramedEcho.pingPong(client.channel(), request, reply);
        return;
      }
      request.rewind();
      while (request.hasRemaining()) client.channel().write(request);
      reply.clear();
      while (reply.position() < request.limit()) client.channel().read(reply);
    }

    @Override
    public void close() throws Exception {
      closing = true;
      client.close();
      server.close();
    }
  }

  /** Loopback TCP with NODELAY and a platform echo thread. */
  static final class RawTcp implements AutoCloseable {
    final ServerSocketChannel listener;
    final SocketChannel client;
    final ByteBuffer request = FramedEcho.frame(PAYLOAD);
    final ByteBuffer reply = ByteBuffer.allocateDirect(1 << 16);
    volatile boolean closing;

    RawTcp() throws IOException {
      listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      client = SocketChannel.open(listener.getLocalAddress());
      client.socket().setTcpNoDelay(true);
      SocketChannel s = listener.accept();
      s.socket().setTcpNoDelay(true);
      Thread.ofPlatform().daemon(true).name("raw-tcp-echo").start(() -> FramedEcho.serve(s, () -> closing));
    }

    void pingPong() throws IOException {
      FramedEcho.pingPong(client, request, reply);
    }

    @Override
    public void close() throws Exception {
      closing = true;
      client.close();
      listener.close();
    }
  }

  /** Two platform threads handing a token back and forth: two hand-offs per round trip. */
  static final class QueuePingPong implements AutoCloseable {
    final LinkedTransferQueue<Object> there = new LinkedTransferQueue<>();
    final LinkedTransferQueue<Object> back = new LinkedTransferQueue<>();
    final Thread other;

    QueuePingPong() {
      other = Thread.ofPlatform().daemon(true).name("queue-echo").start(() -> {
        try {
          while (true) back.put(there.take());
        } catch (InterruptedException e) {
          // closed
        }
      });
    }

    void pingPong() throws InterruptedException {
      there.put(PAYLOAD);
      back.take();
    }

    @Override
    public void close() {
      other.interrupt();
    }
  }
}
