package io.capnet.bench;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.codec.Codec;
import io.capnet.netlayer.InMemoryNetwork;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of {@code ref.sendOnly("tick", 1L)} from one {@link Peer} to another, in batches:
 * each invocation sends {@value #BATCH} messages and then one {@code send("count")} whose answer,
 * the number of ticks the handler has counted, proves every message was delivered and handled.
 * The score is messages per second, over tcp-testing-only on loopback and over
 * {@link InMemoryNetwork}.
 *
 * <p>The baseline in the same run streams the same number of frames, each a 4-byte length and
 * the exact Syrup bytes of the {@code op:deliver-only} the engine writes for one tick, over a
 * loopback socket to a reader thread that counts them (no encoding or decoding), then waits for
 * the reader's count: the transport's own ceiling. Target: at least 500,000 messages/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(SendOnlyThroughputBench.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SendOnlyThroughputBench {
  public static final int BATCH = 200_000;

  /** One tick as the engine writes it to export position 1. */
  static byte[] tickFrame() {
    return Codec.syrup().encode(Record.of("op:deliver-only", Record.of("desc:export", 1L),
        List.of(new Symbol("tick"), 1L)));
  }

  /** Bob holds a reference to alice's counter, over the netlayer named by {@link #transport}. */
  @State(Scope.Benchmark)
  public static class Captp {
    @Param({"tcp-testing-only", "memory"})
    public String transport;

    Peer alice;
    Peer bob;
    Ref counter;
    long expected;

    @Setup
    public void setUp() throws Exception {
      InMemoryNetwork memory = InMemoryNetwork.create();
      alice = Peer.builder().name("alice").netlayer(BenchNetlayers.of(transport, memory, "alice")).build();
      bob = Peer.builder().name("bob").netlayer(BenchNetlayers.of(transport, memory, "bob")).build();
      long[] count = {0}; // alice's vat only
      Ref local = alice.spawn(Methods.builder()
          .on("tick", a -> {
            count[0] += (Long) a.get(0);
            return null;
          })
          .on("count", a -> count[0])
          .build());
      counter = (Ref) bob.enliven(alice.export(local)).future().get(10, TimeUnit.SECONDS);
    }


    @TearDown
    public void tearDown() {
      bob.close();
      alice.close();
    }
  }

  /** A loopback socket whose far end counts frames and answers a zero-length frame with the count. */
  @State(Scope.Benchmark)
  public static class Raw {
    final byte[] frame = tickFrame();
    ServerSocket server;
    Socket client;
    DataOutputStream out;
    DataInputStream in;
    Thread reader;
    long expected;

    @Setup
    public void setUp() throws IOException {
      server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      reader = Thread.ofPlatform().daemon(true).name("raw-counter").start(this::count);
      client = new Socket();
      client.setTcpNoDelay(true);
      client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
      out = new DataOutputStream(new BufferedOutputStream(client.getOutputStream(), 64 * 1024));
      in = new DataInputStream(client.getInputStream());
    }

    private void count() {
      try (Socket s = server.accept()) {
        s.setTcpNoDelay(true);
        DataInputStream sin = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
        DataOutputStream sout = new DataOutputStream(s.getOutputStream());
        byte[] buf = new byte[1 << 16];
        long frames = 0;
        while (true) {
          int n = sin.readInt();
          if (n == 0) {
            sout.writeLong(frames);
            sout.flush();
          } else {
            sin.readFully(buf, 0, n);
            frames++;
          }
        }
      } catch (EOFException e) {
        // the client closed: done
      } catch (IOException e) {
        if (!server.isClosed()) throw new IllegalStateException(e);
      }
    }

    @TearDown
    public void tearDown() throws Exception {
      client.close();
      server.close();
      reader.join(5_000);
    }
  }

  @Benchmark
  public long captpSendOnly(Captp s) throws Exception {
    Ref counter = s.counter;
    for (int i = 0; i < BATCH; i++) counter.sendOnly("tick", 1L);
    long counted = (Long) counter.send("count").future().get(60, TimeUnit.SECONDS);
    s.expected += BATCH;
    if (counted != s.expected) throw new IllegalStateException("counted " + counted + ", sent " + s.expected);
    return counted;
  }

  @Benchmark
  public long rawTcpStream(Raw s) throws IOException {
    DataOutputStream out = s.out;
    byte[] frame = s.frame;
    for (int i = 0; i < BATCH; i++) {
      out.writeInt(frame.length);
      out.write(frame);
    }
    out.writeInt(0);
    out.flush();
    long counted = s.in.readLong();
    s.expected += BATCH;
    if (counted != s.expected) throw new IllegalStateException("counted " + counted + ", sent " + s.expected);
    return counted;
  }
}
