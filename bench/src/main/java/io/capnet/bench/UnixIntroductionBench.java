package io.capnet.bench;

import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Introduction latency: from a client's {@code Switchboard.connect(labels)} until both sides hold
 * their socket (the client has its Introduction and the server's incoming callback has handed its
 * own over). Daemon, server and client are in this JVM, each with its own CapTP session.
 *
 * <p>Baselines in the same run: a raw AF_UNIX connect to a path, accepted by a platform thread
 * that hands the accepted channel over through a {@link SynchronousQueue} (the same shape as the
 * server callback), with the JDK's channels and with junixsocket's. Both ends are closed in every
 * operation, as in the introduction.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "--enable-native-access=ALL-UNNAMED"})
public class UnixIntroductionBench {
  static final Labels LABELS = Labels.of("service", "bench");

  @State(Scope.Benchmark)
  public static class Intro {
    Path dir;
    SwitchboardDaemon daemon;
    Switchboard server;
    Switchboard client;
    Switchboard.Registration registration;
    final SynchronousQueue<Switchboard.Introduction> accepted = new SynchronousQueue<>();

    @Setup
    public void setUp() throws Exception {
      dir = UnixBenchSupport.tempDir();
      daemon = UnixBenchSupport.daemon(dir);
      server = Switchboard.open(daemon.socketPath());
      client = Switchboard.open(daemon.socketPath());
      registration = server.serve(LABELS, intro -> {
        try {
          if (!accepted.offer(intro, 10, TimeUnit.SECONDS)) intro.socket().close();
        } catch (InterruptedException e) {
          intro.socket().close();
        }
      });
    }

    @TearDown
    public void tearDown() {
      UnixBenchSupport.closeQuietly(registration);
      UnixBenchSupport.closeQuietly(client);
      UnixBenchSupport.closeQuietly(server);
      UnixBenchSupport.closeQuietly(daemon);
      UnixBenchSupport.delete(dir);
    }
  }

  /** A listener on a path, and a platform thread accepting on it. */
  public abstract static class Listener<C extends AutoCloseable> {
    Path dir;
    Thread acceptor;
    final SynchronousQueue<C> accepted = new SynchronousQueue<>();
    volatile boolean closing;

    abstract void listen(Path path) throws IOException;

    abstract C accept() throws IOException;

    abstract C connect() throws IOException;

    abstract void closeListener() throws IOException;

    void start() throws IOException {
      dir = UnixBenchSupport.tempDir();
      listen(dir.resolve("raw.sock"));
      acceptor = Thread.ofPlatform().daemon(true).name("raw-acceptor").start(() -> {
        try {
          while (!closing) {
            C c = accept();
            if (!accepted.offer(c, 10, TimeUnit.SECONDS)) c.close();
          }
        } catch (Exception e) {
          if (!closing) throw new IllegalStateException(e);
        }
      });
    }

    /** One connect, until both sides hold their socket; then both are closed. */
    int connectAndAccept() throws Exception {
      C c = connect();
      C s = accepted.poll(10, TimeUnit.SECONDS);
      if (s == null) throw new TimeoutException("no accept");
      c.close();
      s.close();
      return 1;
    }

    void stop() throws Exception {
      closing = true;
      closeListener();
      acceptor.join(5_000);
      UnixBenchSupport.delete(dir);
    }
  }

  @State(Scope.Benchmark)
  public static class Jdk extends Listener<SocketChannel> {
    ServerSocketChannel listener;
    UnixDomainSocketAddress address;

    @Override
    void listen(Path path) throws IOException {
      address = UnixDomainSocketAddress.of(path);
      listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address, 64);
    }

    @Override
    SocketChannel accept() throws IOException {
      return listener.accept();
    }

    @Override
    SocketChannel connect() throws IOException {
      return SocketChannel.open(address);
    }

    @Override
    void closeListener() throws IOException {
      listener.close();
    }

    @Setup
    public void setUp() throws IOException {
      start();
    }

    @TearDown
    public void tearDown() throws Exception {
      stop();
    }
  }

  @State(Scope.Benchmark)
  public static class Junix extends Listener<AFUNIXSocketChannel> {
    AFUNIXServerSocketChannel listener;
    AFUNIXSocketAddress address;

    @Override
    void listen(Path path) throws IOException {
      address = AFUNIXSocketAddress.of(path);
      listener = AFUNIXServerSocketChannel.open();
      listener.bind(address, 64);
    }

    @Override
    AFUNIXSocketChannel accept() throws IOException {
      return listener.accept();
    }

    @Override
    AFUNIXSocketChannel connect() throws IOException {
      return AFUNIXSocketChannel.open(address);
    }

    @Override
    void closeListener() throws IOException {
      listener.close();
    }

    @Setup
    public void setUp() throws IOException {
      start();
    }

    @TearDown
    public void tearDown() throws Exception {
      stop();
    }
  }

  @Benchmark
  public int introduction(Intro s) throws Exception {
    Switchboard.Introduction client = s.client.connect(LABELS);
    Switchboard.Introduction server = s.accepted.poll(10, TimeUnit.SECONDS);
    if (server == null) throw new TimeoutException("the server callback never ran");
    client.socket().close();
    server.socket().close();
    return 1;
  }

  @Benchmark
  public int rawJdkConnectAccept(Jdk s) throws Exception {
    return s.connectAndAccept();
  }

  @Benchmark
  public int rawJunixConnectAccept(Junix s) throws Exception {
    return s.connectAndAccept();
  }
}
