package io.capnet.bench;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.unix.Switchboard;
import io.capnet.unix.UnixNetlayer;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * One send and its answer at a time, {@code ref.send("echo", PAYLOAD).future().join()}, between
 * two {@link Peer}s on {@link UnixNetlayer}s introduced by a Switchboard daemon in this JVM (the
 * session then runs over its own socket, not through the daemon). Baselines in the same run:
 *
 * <ul>
 *   <li>{@code rawFramedPingPong}: the payload's UTF-8 bytes behind a 4-byte length, written and
 *       echoed back by a platform thread, over {@code junixsocket} channels from
 *       {@link UnixSockets#pair()} (the kind of socket the netlayer uses) or the JDK's own UNIX
 *       channels ({@code jdk}, for reference);
 *   <li>{@code grpcUnary}: a gRPC-java unary echo call with the same bytes (raw byte[]
 *       marshaller, no protobuf) over a Unix socket (Netty epoll), from a blocking stub.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "--enable-native-access=ALL-UNNAMED"})
public class UnixRoundTripBench {
  public static final String PAYLOAD = CaptpRoundTripBench.PAYLOAD;
  static final byte[] PAYLOAD_BYTES = PAYLOAD.getBytes(StandardCharsets.UTF_8);

  @State(Scope.Benchmark)
  public static class Captp {
    Path dir;
    SwitchboardDaemon daemon;
    Switchboard aliceBoard;
    Switchboard bobBoard;
    Peer alice;
    Peer bob;
    Ref echo;

    @Setup
    public void setUp() throws Exception {
      dir = UnixBenchSupport.tempDir();
      daemon = UnixBenchSupport.daemon(dir);
      aliceBoard = Switchboard.open(daemon.socketPath());
      bobBoard = Switchboard.open(daemon.socketPath());
      alice = Peer.builder().name("alice").netlayer(UnixNetlayer.create(aliceBoard)).build();
      bob = Peer.builder().name("bob").netlayer(UnixNetlayer.create(bobBoard)).build();
      Ref local = alice.spawn(Methods.builder().on("echo", a -> a.get(0)).build());
      echo = (Ref) bob.enliven(alice.export(local)).future().get(10, TimeUnit.SECONDS);
      Object back = echo.send("echo", PAYLOAD).future().get(10, TimeUnit.SECONDS);
      if (!PAYLOAD.equals(back)) throw new IllegalStateException("echo answered " + back);
    }

    @TearDown
    public void tearDown() {
      UnixBenchSupport.closeQuietly(bob);
      UnixBenchSupport.closeQuietly(alice);
      UnixBenchSupport.closeQuietly(bobBoard);
      UnixBenchSupport.closeQuietly(aliceBoard);
      UnixBenchSupport.closeQuietly(daemon);
      UnixBenchSupport.delete(dir);
    }
  }

  /** A connected pair: the client end here, a platform echo thread on the other. */
  @State(Scope.Benchmark)
  public static class Raw {
    @Param({"junixsocket", "jdk"})
    public String socket;

    Path dir;
    final List<AutoCloseable> closeables = new ArrayList<>();
    ByteChannel client;
    ByteChannel server;
    Thread echoThread;
    volatile boolean closing;
    final ByteBuffer request = ByteBuffer.allocateDirect(4 + PAYLOAD_BYTES.length);
    final ByteBuffer length = ByteBuffer.allocateDirect(4);
    final ByteBuffer reply = ByteBuffer.allocateDirect(1 << 16);

    @Setup
    public void setUp() throws IOException {
      dir = UnixBenchSupport.tempDir();
      if (socket.equals("junixsocket")) {
        UnixSockets.Pair p = UnixSockets.pair();
        UnixSocket a = UnixSockets.channel(p.first());
        UnixSocket b = UnixSockets.channel(p.second());
        closeables.add(a);
        closeables.add(b);
        client = a.channel();
        server = b.channel();
      } else {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("pingpong.sock"));
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address)) {
          SocketChannel a = SocketChannel.open(address);
          SocketChannel b = listener.accept();
          closeables.add(a);
          closeables.add(b);
          client = a;
          server = b;
        }
      }
      request.putInt(PAYLOAD_BYTES.length).put(PAYLOAD_BYTES).flip();
      echoThread = Thread.ofPlatform().daemon(true).name("raw-echo").start(this::serve);
    }

    private void serve() {
      FramedEcho.serve(server, () -> closing);
    }

    /** One ping-pong: the frame out in one write, then reads until the whole frame is back. */
    int pingPong() throws IOException {
      return FramedEcho.pingPong(client, request, reply);
    }

    @TearDown
    public void tearDown() throws Exception {
      closing = true;
      for (AutoCloseable c : closeables) UnixBenchSupport.closeQuietly(c);
      echoThread.join(5_000);
      UnixBenchSupport.delete(dir);
    }
  }

  /** gRPC-java over a Unix socket: an echo server and a blocking unary client. */
  @State(Scope.Benchmark)
  public static class Grpc {
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
    static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("capnet.bench.Echo", "Echo"))
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();

    Path dir;
    EpollEventLoopGroup boss;
    EpollEventLoopGroup workers;
    EpollEventLoopGroup clientLoop;
    Server server;
    ManagedChannel channel;

    @Setup
    public void setUp() throws Exception {
      dir = UnixBenchSupport.tempDir();
      DomainSocketAddress address = new DomainSocketAddress(dir.resolve("grpc.sock").toFile());
      boss = new EpollEventLoopGroup(1);
      workers = new EpollEventLoopGroup(1);
      clientLoop = new EpollEventLoopGroup(1);
      ServerServiceDefinition service = ServerServiceDefinition.builder("capnet.bench.Echo")
          .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
            response.onNext(request);
            response.onCompleted();
          }))
          .build();
      // directExecutor on both sides: gRPC's fastest configuration, no hop to a thread pool.
      server = NettyServerBuilder.forAddress(address)
          .channelType(EpollServerDomainSocketChannel.class)
          .bossEventLoopGroup(boss)
          .workerEventLoopGroup(workers)
          .directExecutor()
          .addService(service)
          .build()
          .start();
      channel = NettyChannelBuilder.forAddress(address)
          .channelType(EpollDomainSocketChannel.class)
          .eventLoopGroup(clientLoop)
          .usePlaintext()
          .directExecutor()
          .build();
      byte[] back = call();
      if (!java.util.Arrays.equals(back, PAYLOAD_BYTES)) throw new IllegalStateException("gRPC echo answered wrong bytes");
    }

    byte[] call() {
      return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, PAYLOAD_BYTES);
    }

    @TearDown
    public void tearDown() throws Exception {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      UnixBenchSupport.delete(dir);
    }
  }

  @Benchmark
  public Object captpRoundTrip(Captp s) {
    return s.echo.send("echo", PAYLOAD).future().join();
  }

  @Benchmark
  public int rawFramedPingPong(Raw s) throws IOException {
    return s.pingPong();
  }

  @Benchmark
  public byte[] grpcUnary(Grpc s) {
    return s.call();
  }
}
