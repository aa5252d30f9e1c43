package io.capnet.bench;

import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bulk bytes over one AF_UNIX stream socket: one operation writes {@link #TOTAL} bytes in
 * {@link #CHUNK} writes from the benchmark thread and waits until a platform reader thread on
 * the other end has read them all. The same read and write code runs over:
 *
 * <ul>
 *   <li>{@code introduced}: the two ends of one Switchboard introduction (client and server
 *       handles of a daemon in this JVM), as junixsocket channels from {@link UnixSockets#channel};
 *   <li>{@code unixsockets-pair}: {@link UnixSockets#pair()}, the same kind of channel (the
 *       baseline: an introduced socket is such a pair, so anything slower means a relay);
 *   <li>{@code jdk-pair}: a connect plus accept with the JDK's own UNIX channels (for reference).
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "--enable-native-access=ALL-UNNAMED"})
public class UnixThroughputBench {
  public static final int CHUNK = 64 * 1024;
  public static final long TOTAL = 256L << 20;

  @State(Scope.Benchmark)
  public static class Stream {
    @Param({"introduced", "unixsockets-pair", "jdk-pair"})
    public String socket;

    Path dir;
    SwitchboardDaemon daemon;
    Switchboard server;
    Switchboard client;
    final java.util.List<AutoCloseable> closeables = new java.util.ArrayList<>();
    ByteChannel writeEnd;
    ByteChannel readEnd;
    final ByteBuffer out = ByteBuffer.allocateDirect(CHUNK);
    final Semaphore done = new Semaphore(0);
    Thread reader;
    volatile boolean closing;

    @Setup
    public void setUp() throws Exception {
      dir = UnixBenchSupport.tempDir();
      switch (socket) {
        case "introduced" -> {
          daemon = UnixBenchSupport.daemon(dir);
          server = Switchboard.open(daemon.socketPath());
          client = Switchboard.open(daemon.socketPath());
          CompletableFuture<Switchboard.Introduction> accepted = new CompletableFuture<>();
          try (Switchboard.Registration r = server.serve(Labels.of("service", "bulk"), accepted::complete)) {
            Switchboard.Introduction c = client.connect(Labels.of("service", "bulk"));
            Switchboard.Introduction s = accepted.get(10, TimeUnit.SECONDS);
            ends(UnixSockets.channel(c.socket()), UnixSockets.channel(s.socket()));
          }
        }
        case "unixsockets-pair" -> {
          UnixSockets.Pair p = UnixSockets.pair();
          ends(UnixSockets.channel(p.first()), UnixSockets.channel(p.second()));
        }
        case "jdk-pair" -> {
          UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("pair.sock"));
          try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address)) {
            SocketChannel a = SocketChannel.open(address);
            SocketChannel b = listener.accept();
            closeables.add(a);
            closeables.add(b);
            writeEnd = a;
            readEnd = b;
          }
        }
        default -> throw new IllegalArgumentException(socket);
      }
      while (out.hasRemaining()) out.put((byte) out.position());
      reader = Thread.ofPlatform().daemon(true).name("bulk-reader").start(this::readLoop);
    }

    private void ends(UnixSocket a, UnixSocket b) {
      closeables.add(a);
      closeables.add(b);
      writeEnd = a.channel();
      readEnd = b.channel();
    }

    private void readLoop() {
      ByteBuffer in = ByteBuffer.allocateDirect(CHUNK);
      long got = 0;
      try {
        while (true) {
          in.clear();
          int n = readEnd.read(in);
          if (n < 0) return;
          got += n;
          if (got >= TOTAL) {
            got -= TOTAL;
            done.release();
          }
        }
      } catch (IOException e) {
        if (!closing) throw new IllegalStateException(e);
      }
    }

    /** One transfer: TOTAL bytes written, and all of them read on the other end. */
    long transfer() throws Exception {
      for (long sent = 0; sent < TOTAL; sent += CHUNK) {
        out.clear();
        UnixBenchSupport.writeFully(writeEnd, out);
      }
      if (!done.tryAcquire(60, TimeUnit.SECONDS)) throw new IllegalStateException("the reader stalled");
      return TOTAL;
    }

    @TearDown
    public void tearDown() throws Exception {
      closing = true;
      for (AutoCloseable c : closeables) UnixBenchSupport.closeQuietly(c);
      reader.join(5_000);
      UnixBenchSupport.closeQuietly(client);
      UnixBenchSupport.closeQuietly(server);
      UnixBenchSupport.closeQuietly(daemon);
      UnixBenchSupport.delete(dir);
    }
  }

  @Benchmark
  public long bulkTransfer(Stream s) throws Exception {
    return s.transfer();
  }

  /**
   * The three sockets measured interleaved in this JVM: each round transfers once over each, in
   * an order that rotates, so a machine that gets busier affects all of them alike (separate JMH
   * forks, one after another, cannot promise that on a shared machine). Returns each socket's
   * median milliseconds per transfer over {@code rounds} rounds, after {@code warmup} rounds.
   */
  static java.util.Map<String, double[]> interleaved(int warmup, int rounds) throws Exception {
    String[] kinds = {"introduced", "unixsockets-pair", "jdk-pair"};
    Stream[] streams = new Stream[kinds.length];
    java.util.Map<String, double[]> times = new java.util.LinkedHashMap<>();
    try {
      for (int i = 0; i < kinds.length; i++) {
        streams[i] = new Stream();
        streams[i].socket = kinds[i];
        streams[i].setUp();
        times.put(kinds[i], new double[rounds]);
      }
      for (int r = -warmup; r < rounds; r++) {
        for (int k = 0; k < kinds.length; k++) {
          int i = Math.floorMod(r + k, kinds.length);
          long t0 = System.nanoTime();
          streams[i].transfer();
          double ms = (System.nanoTime() - t0) / 1e6;
          if (r >= 0) times.get(kinds[i])[r] = ms;
        }
      }
      return times;
    } finally {
      for (Stream st : streams) {
        if (st != null && st.reader != null) st.tearDown();
      }
    }
  }

  static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
