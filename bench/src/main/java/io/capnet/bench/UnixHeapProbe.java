package io.capnet.bench;

import io.capnet.codec.Codec;
import io.capnet.locator.Designators;
import io.capnet.locator.PeerLocator;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardProtocol;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Daemon heap per idle connected client. The daemon runs in a JVM of its own
 * ({@link UnixDaemonMain}); this process connects clients to it, each a CapTP session that has
 * fetched its Switchboard handle and then stays idle, and asks the daemon for its heap in use after
 * full GCs, before any client and at each count. Per client = (heap at N - heap at 0) / N.
 *
 * <p>Two kinds of client:
 *
 * <ul>
 *   <li>{@code Switchboard.open}: the library's client, a {@code Peer} of its own per handle, all
 *       of them on the process's one shared client loop;
 *   <li>{@code light}: one JDK UNIX socket per client and no thread, driven by this class: it sends
 *       a real {@code op:start-session} (a fresh Ed25519 session key, a signed location) and the
 *       bootstrap {@code fetch} of the connection's handle, and waits for the daemon to fulfill it.
 *       To the daemon this is a client like any other; it is what makes 10,000 fit on this machine.
 * </ul>
 */
public final class UnixHeapProbe {
  private UnixHeapProbe() {}

  /** The daemon's figures at one client count. */
  record Sample(int clients, long heap, long direct, int threads, long rssKb) {
    static Sample parse(int clients, String line) {
      String[] f = line.trim().split(" ");
      return new Sample(clients, Long.parseLong(f[1]), Long.parseLong(f[3]), Integer.parseInt(f[5]), Long.parseLong(f[7]));
    }

    double perClient(Sample base, long value, long baseValue) {
      return clients == 0 ? 0 : (double) (value - baseValue) / clients;
    }
  }

  /** Samples at each count reached; {@code failure} says why a count could not be reached. */
  record Result(String kind, Sample base, List<Sample> samples, String failure) {}

  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "heap-probe-watchdog");
    t.setDaemon(true);
    return t;
  });

  public static void main(String[] args) throws Exception {
    String kind = args.length > 0 ? args[0] : "light";
    int[] counts = args.length > 1 ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {1_000, 5_000, 10_000};
    print(run(kind, counts));
  }

  static void print(Result r) {
    System.out.printf("daemon heap per idle client, %s clients: before any client %,d B heap, %d threads%n",
        r.kind(), r.base().heap(), r.base().threads());
    for (Sample s : r.samples()) {
      System.out.printf("  %,6d clients: heap %,d B (%,.0f B/client), direct buffers %,.0f B/client, threads %,d,"
              + " RSS %,.0f kB/client%n",
          s.clients(), s.heap(), s.perClient(r.base(), s.heap(), r.base().heap()),
          s.perClient(r.base(), s.direct(), r.base().direct()), s.threads(),
          s.perClient(r.base(), s.rssKb(), r.base().rssKb()));
    }
    if (r.failure() != null) System.out.println("  stopped: " + r.failure());
  }

  static Result run(String kind, int[] counts) throws Exception {
    Path dir = UnixBenchSupport.tempDir();
    Path socket = dir.resolve("switchboard.sock");
    String java = ProcessHandle.current().info().command().orElse("java");
    String jar = Path.of(UnixHeapProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    Process daemon = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx3g",
        "-cp", jar, UnixDaemonMain.class.getName(), socket.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
    OutputStream in = daemon.getOutputStream();
    List<AutoCloseable> clients = new ArrayList<>();
    List<Sample> samples = new ArrayList<>();
    String failure = null;
    try {
      expect(out, "ready");
      Sample base = Sample.parse(0, query(in, out));
      for (int count : counts) {
        try {
          while (clients.size() < count) clients.add(open(kind, socket));
        } catch (Throwable e) {
          failure = "could not open client " + (clients.size() + 1) + ": " + e;
        }
        Thread.sleep(1_000); // let the daemon's sessions settle
        samples.add(Sample.parse(clients.size(), query(in, out)));
        if (failure != null) break;
      }
      return new Result(kind, base, samples, failure);
    } finally {
      for (AutoCloseable c : clients) UnixBenchSupport.closeQuietly(c);
      try {
        in.write("quit\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
      } catch (IOException e) {
        // already gone
      }
      if (!daemon.waitFor(30, TimeUnit.SECONDS)) daemon.destroyForcibly();
      UnixBenchSupport.delete(dir);
    }
  }

  private static void expect(BufferedReader out, String word) throws IOException {
    for (String line; (line = out.readLine()) != null; ) {
      if (line.trim().equals(word)) return;
    }
    throw new IOException("the daemon process ended before saying " + word);
  }

  private static String query(OutputStream in, BufferedReader out) throws IOException {
    in.write("heap\n".getBytes(StandardCharsets.US_ASCII));
    in.flush();
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith("heap ")) return line;
    }
    throw new IOException("the daemon process ended");
  }

  static AutoCloseable open(String kind, Path socket) throws Exception {
    return switch (kind) {
      case "light" -> lightSession(socket);
      case "Switchboard.open" -> Switchboard.open(socket);
      default -> throw new IllegalArgumentException("unknown client kind " + kind);
    };
  }

  // ------------------------------------------------------------------ the light client

  private static Symbol sym(String s) {
    return new Symbol(s);
  }

  /**
   * A CapTP session to the daemon that fetched the connection's handle, on a socket with no
   * thread: op:start-session and the bootstrap fetch out, then frames in until the daemon
   * fulfills the fetch. Frames are the unix netlayer's: a 4-byte length, a descriptor count, CBOR.
   */
  static SocketChannel lightSession(Path socket) throws Exception {
    SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
      UnixBenchSupport.closeQuietly(ch);
    }, 30, TimeUnit.SECONDS);
    try {
      KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      Bytes raw = Designators.rawEd25519(keys.getPublic());
      Record location = PeerLocator.of(Designators.ofEd25519(raw), "unix").toRecord();
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(keys.getPrivate());
      signer.update(Codec.syrup().encode(Record.of("my-location", location)));
      byte[] sig = signer.sign();
      Object publicKey = List.of(sym("public-key"), List.of(sym("ecc"), List.of(sym("curve"), sym("Ed25519")),
          List.of(sym("flags"), sym("eddsa")), List.of(sym("q"), raw)));
      Object signature = List.of(sym("sig-val"), List.of(sym("eddsa"),
          List.of(sym("r"), Bytes.of(sig, 0, 32)), List.of(sym("s"), Bytes.of(sig, 32, 32))));
      Codec cbor = Codec.cbor();
      writeFrame(ch, cbor.encode(Record.of("op:start-session", "1.0", publicKey, location, signature)));
      writeFrame(ch, cbor.encode(Record.of("op:deliver", Record.of("desc:export", 0L),
          List.of(sym("fetch"), SwitchboardProtocol.CONNECTION_HANDLE), 1L, Record.of("desc:import-object", 1L))));
      while (true) {
        Object m = cbor.decode(readFrame(ch));
        if (!(m instanceof Record r)) throw new IOException("not an operation: " + m);
        if (r.hasLabel("op:abort")) throw new IOException("the daemon aborted: " + r.field(0));
        if ((r.hasLabel("op:deliver") || r.hasLabel("op:deliver-only"))
            && r.field(0) instanceof Record to && to.hasLabel("desc:export") && ((Number) to.field(0)).longValue() == 1
            && r.field(1) instanceof List<?> a && !a.isEmpty()) {
          if (sym("fulfill").equals(a.get(0))) return ch;
          throw new IOException("the daemon did not give the handle: " + a);
        }
      }
    } catch (Exception e) {
      ch.close();
      throw e;
    } finally {
      watchdog.cancel(false);
    }
  }

  private static void writeFrame(SocketChannel ch, byte[] message) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(5 + message.length);
    b.putInt(message.length).put((byte) 0).put(message).flip();
    UnixBenchSupport.writeFully(ch, b);
  }

  private static byte[] readFrame(SocketChannel ch) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(5);
    if (!UnixBenchSupport.readFully(ch, header)) throw new IOException("the daemon closed the session");
    if (header.get(4) != 0) throw new IOException("the daemon sent descriptors; this client takes none");
    ByteBuffer body = ByteBuffer.allocate(header.getInt(0));
    if (!UnixBenchSupport.readFully(ch, body)) throw new IOException("the daemon closed the session");
    return body.array();
  }
}
