package io.capnet.bench;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.netlayer.InMemoryNetwork;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
 * Latency of one CapTP round trip, {@code ref.send("echo", PAYLOAD).future().join()}, between two
 * {@link Peer}s in this JVM over tcp-testing-only on loopback (and, for comparison, over
 * {@link InMemoryNetwork}), one send at a time. The baseline in the same run is a raw
 * length-prefixed ping-pong of the payload's UTF-8 bytes over loopback sockets with TCP_NODELAY,
 * answered by a platform echo thread: the cost of the two socket crossings alone. Target: CapTP
 * over tcp-testing-only at most 2x the baseline.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CaptpRoundTripBench {
  public static final String PAYLOAD = "hello, capnet";

  /**
   * Two peers; bob holds a reference to alice's echo object. The target compares the
   * tcp-testing-only figure with the baseline; the in-memory one separates the engine's own cost
   * (its threads and codec, no sockets) from the transport's.
   */
  @State(Scope.Benchmark)
  public static class Captp {
    @Param({"tcp-testing-only", "memory"})
    public String transport;

    Peer alice;
    Peer bob;
    Ref echo;

    @Setup
    public void setUp() throws Exception {
      InMemoryNetwork memory = InMemoryNetwork.create();
      alice = Peer.builder().name("alice").netlayer(BenchNetlayers.of(transport, memory, "alice")).build();
      bob = Peer.builder().name("bob").netlayer(BenchNetlayers.of(transport, memory, "bob")).build();
      Ref local = alice.spawn(Methods.builder().on("echo", a -> a.get(0)).build());
      echo = (Ref) bob.enliven(alice.export(local)).future().get(10, TimeUnit.SECONDS);
      Object back = echo.send("echo", PAYLOAD).future().get(10, TimeUnit.SECONDS);
      if (!PAYLOAD.equals(back)) throw new IllegalStateException("echo answered " + back);
    }


    @TearDown
    public void tearDown() {
      bob.close();
      alice.close();
    }
  }

  /** A loopback socket pair: the client end here, an echo thread on the other. */
  @State(Scope.Benchmark)
  public static class Raw {
    final ByteBuffer request = FramedEcho.frame(PAYLOAD.getBytes(StandardCharsets.UTF_8));
    final ByteBuffer reply = ByteBuffer.allocateDirect(1 << 16);
    ServerSocketChannel server;
    SocketChannel client;
    Thread echoThread;

    @Setup
    public void setUp() throws IOException {
      server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      echoThread = Thread.ofPlatform().daemon(true).name("raw-echo").start(this::serve);
      client = SocketChannel.open(server.getLocalAddress());
      client.socket().setTcpNoDelay(true);
    }

    private void serve() {
      try (SocketChannel s = server.accept()) {
        s.socket().setTcpNoDelay(true);
        FramedEcho.serve(s, server.socket()::isClosed);
      } catch (IOException e) {
        if (server.isOpen()) throw new IllegalStateException(e);
      }
    }

    /** One ping-pong: the frame out in one write, then reads until the whole frame is back. */
    int pingPong() throws IOException {
      return FramedEcho.pingPong(client, request, reply);
    }

    @TearDown
    public void tearDown() throws Exception {
      client.close();
      server.close();
      echoThread.join(5_000);
    }
  }

  @Benchmark
  public Object captpRoundTrip(Captp s) {
    return s.echo.send("echo", PAYLOAD).future().join();
  }

  @Benchmark
  public int rawTcpPingPong(Raw s) throws IOException {
    return s.pingPong();
  }
}
