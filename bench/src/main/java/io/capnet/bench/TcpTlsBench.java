package io.capnet.bench;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.locator.Sturdyref;
import io.capnet.netlayer.InMemoryNetwork;
import io.capnet.tcptls.TcpTls;
import io.capnet.tcptls.TlsIdentity;
import io.capnet.value.Bytes;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The tcp-tls netlayer against bare JDK TLS 1.3 (SunJSSE, the same Ed25519 certificates and
 * mutual authentication) on loopback, each pair in the same run ({@link TcpTlsReport}):
 *
 * <ul>
 *   <li>{@code connect*}: a new connection, handshake and one answer. CapTP: a fresh peer
 *       enlivens a sturdyref over tcp-tls and sends one echo (TCP connect, TLS handshake with
 *       pinning, op:start-session both ways, the bootstrap fetch and the echo). Baseline: TCP
 *       connect, a mutual TLS 1.3 handshake and one length-prefixed echo. Peer and socket are
 *       made and closed outside the timed part. Target: at most 1.3x.
 *   <li>{@code bulk*}: 1 MiB ByteArrays over an established connection, each answered with its
 *       length. Baseline: the same 1 MiB with a 4-byte length over an established TLS socket,
 *       answered with 4 bytes. Target: at least 0.8x the baseline's throughput.
 *   <li>{@code roundTrip}: one CapTP echo on an established session, over tcp-tls and over
 *       tcp-testing-only: the cost of TLS on the CapTP round trip.
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TcpTlsBench {
  public static final String PAYLOAD = "hello, capnet";
  public static final int BULK_BYTES = 1 << 20;

  // ---------------------------------------------------------------- CapTP over tcp-tls

  /** Alice, on tcp-tls, serving an echo and a sink; the sturdyrefs to them. */
  @State(Scope.Benchmark)
  public static class Server {
    Peer alice;
    Sturdyref echo;
    Sturdyref sink;
    final TlsIdentity bobIdentity = TlsIdentity.generate();

    @Setup
    public void setUp() throws Exception {
      alice = Peer.builder().name("alice").netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)).build();
      echo = alice.export(alice.spawn(Methods.builder().on("echo", a -> a.get(0)).build()));
      sink = alice.export(alice.spawn(Methods.builder().on("take", a -> (long) ((Bytes) a.get(0)).length()).build()));
    }

    @TearDown
    public void tearDown() {
      alice.close();
    }
  }

  /** A fresh peer for each connect, closed after it outside the timed part. */
  @State(Scope.Thread)
  public static class Dialler {
    Peer bob;

    @Setup(Level.Invocation)
    public void setUp(Server server) throws IOException {
      bob = Peer.builder().name("bob").netlayer(TcpTls.netlayer(server.bobIdentity, "127.0.0.1", 0)).build();
    }

    @TearDown(Level.Invocation)
    public void tearDown() {
      bob.close();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object connectCaptp(Server server, Dialler d) throws Exception {
    return d.bob.enliven(server.echo).send("echo", PAYLOAD).future().get(10, TimeUnit.SECONDS);
  }

  /** Bob holding alice's sink over an established tcp-tls session. */
  @State(Scope.Benchmark)
  public static class Bulk {
    Peer bob;
    Ref sink;
    Bytes chunk;

    @Setup
    public void setUp(Server server) throws Exception {
      byte[] b = new byte[BULK_BYTES];
      new Random(1).nextBytes(b);
      chunk = Bytes.of(b);
      bob = Peer.builder().name("bob-bulk").netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)).build();
      sink = (Ref) bob.enliven(server.sink).future().get(10, TimeUnit.SECONDS);
    }

    @TearDown
    public void tearDown() {
      bob.close();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public Object bulkCaptp(Bulk s) throws Exception {
    return s.sink.send("take", s.chunk).future().get(10, TimeUnit.SECONDS);
  }

  /** Two peers and an echo, over {@code transport}. */
  @State(Scope.Benchmark)
  public static class RoundTrip {
    @Param({"tcp-tls", "tcp-testing-only"})
    public String transport;

    Peer alice;
    Peer bob;
    Ref echo;

    @Setup
    public void setUp() throws Exception {
      InMemoryNetwork unused = InMemoryNetwork.create();
      alice = Peer.builder().name("alice-rt").netlayer(BenchNetlayers.of(transport, unused, "alice")).build();
      bob = Peer.builder().name("bob-rt").netlayer(BenchNetlayers.of(transport, unused, "bob")).build();
      Ref local = alice.spawn(Methods.builder().on("echo", a -> a.get(0)).build());
      echo = (Ref) bob.enliven(alice.export(local)).future().get(10, TimeUnit.SECONDS);
    }

    @TearDown
    public void tearDown() {
      bob.close();
      alice.close();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object roundTrip(RoundTrip s) {
    return s.echo.send("echo", PAYLOAD).future().join();
  }

  // ---------------------------------------------------------------- bare JDK TLS 1.3

  /**
   * A SunJSSE TLS 1.3 listener requiring client certificates, both sides with self-signed
   * Ed25519 certificates from the JDK's own key managers, trusting any peer (no pinning). Each
   * connection: handshake, then echo length-prefixed frames, or answer bulk frames with their
   * length, until the client closes.
   */
  @State(Scope.Benchmark)
  public static class RawTls {
    SSLContext serverContext;
    SSLContext clientContext;
    SSLServerSocket server;
    Thread acceptor;

    @Setup
    public void setUp() throws Exception {
      serverContext = context();
      clientContext = context();
      clientContext.getClientSessionContext().setSessionCacheSize(1);
      server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      server.setEnabledProtocols(new String[] {"TLSv1.3"});
      server.setNeedClientAuth(true);
      acceptor = Thread.ofPlatform().daemon(true).name("raw-tls-accept").start(this::acceptLoop);
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread.ofVirtual().start(() -> serve((SSLSocket) s));
        } catch (IOException e) {
          return;
        }
      }
    }

    private static void serve(SSLSocket s) {
      try (s) {
        s.setTcpNoDelay(true);
        s.startHandshake();
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
        byte[] buf = new byte[BULK_BYTES];
        while (true) {
          int n = in.readInt();
          in.readFully(buf, 0, n);
          if (n == BULK_BYTES) {
            out.writeInt(n);
          } else {
            out.writeInt(n);
            out.write(buf, 0, n);
          }
          out.flush();
        }
      } catch (IOException e) {
        // the client closed
      }
    }

    private long dials;

    /**
     * A client socket, connected and through a full mutual handshake. As in tcp-tls, each dial
     * names a host of its own, so SunJSSE finds no cached session to resume (a resumed TLS 1.3
     * handshake proves no certificates and costs a third as much).
     */
    SSLSocket dial() throws IOException {
      Socket plain = new Socket();
      plain.setTcpNoDelay(true);
      plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
      SSLSocket s = (SSLSocket) clientContext.getSocketFactory()
          .createSocket(plain, "bench-dial-" + (++dials), server.getLocalPort(), true);
      SSLParameters params = s.getSSLParameters();
      params.setProtocols(new String[] {"TLSv1.3"});
      params.setServerNames(java.util.List.of());
      s.setSSLParameters(params);
      s.startHandshake();
      return s;
    }

    @TearDown
    public void tearDown() throws Exception {
      server.close();
      acceptor.join(5_000);
    }

    static SSLContext context() throws Exception {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      X500Name name = new X500Name("CN=bench");
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
          new JcaX509v3CertificateBuilder(name, BigInteger.ONE, new Date(System.currentTimeMillis() - 86_400_000L),
              new Date(System.currentTimeMillis() + 86_400_000L), name, pair.getPublic())
              .build(new JcaContentSignerBuilder("Ed25519").build(pair.getPrivate())));
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("me", pair.getPrivate(), new char[0], new X509Certificate[] {cert});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      SSLContext ctx = SSLContext.getInstance("TLSv1.3");
      ctx.init(kmf.getKeyManagers(), new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
      return ctx;
    }
  }

  /** The baseline's connection for one connect, closed outside the timed part. */
  @State(Scope.Thread)
  public static class RawDial {
    SSLSocket socket;

    @TearDown(Level.Invocation)
    public void tearDown() throws IOException {
      if (socket != null) socket.close();
      socket = null;
    }
  }

  private static final byte[] PAYLOAD_BYTES = PAYLOAD.getBytes(StandardCharsets.UTF_8);

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int connectRawTls(RawTls raw, RawDial d) throws IOException {
    d.socket = raw.dial();
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(d.socket.getOutputStream()));
    out.writeInt(PAYLOAD_BYTES.length);
    out.write(PAYLOAD_BYTES);
    out.flush();
    DataInputStream in = new DataInputStream(new BufferedInputStream(d.socket.getInputStream()));
    int n = in.readInt();
    in.readFully(new byte[n]);
    return n;
  }

  /** An established bare TLS connection for the bulk baseline. */
  @State(Scope.Thread)
  public static class RawBulk {
    SSLSocket socket;
    DataInputStream in;
    DataOutputStream out;
    final byte[] chunk = new byte[BULK_BYTES];

    @Setup
    public void setUp(RawTls raw) throws IOException {
      new Random(1).nextBytes(chunk);
      socket = raw.dial();
      in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
    }

    @TearDown
    public void tearDown() throws IOException {
      socket.close();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public int bulkRawTls(RawBulk s) throws IOException {
    s.out.writeInt(BULK_BYTES);
    s.out.write(s.chunk);
    s.out.flush();
    return s.in.readInt();
  }
}
