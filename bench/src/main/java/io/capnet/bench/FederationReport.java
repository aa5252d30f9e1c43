package io.capnet.bench;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.unix.SocketDescriptors;
import io.capnet.federation.FederationEndpoint;
import io.capnet.federation.FederationLink;
import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.tcptls.TcpTls;
import io.capnet.tcptls.TlsIdentity;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./capnet bench federation}: connection setup through an ingress and across two
 * federated Switchboards, each against its baseline measured in the same run, alternating
 * rounds so that the machine's drift hits both alike. Not JMH: each operation spans several
 * processes' worth of threads in this one JVM, and the medians are what the issue asks for.
 */
public final class FederationReport {
  private FederationReport() {}

  interface Op {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    java.util.logging.Logger quiet = java.util.logging.Logger.getLogger("io.capnet");
    quiet.setLevel(java.util.logging.Level.WARNING);
    Path dir = Files.createTempDirectory("capnet-bench-fed-");
    try (SwitchboardDaemon a = SwitchboardDaemon.builder().socketPath(dir.resolve("a.sock")).start();
         SwitchboardDaemon b = SwitchboardDaemon.builder().socketPath(dir.resolve("b.sock")).start();
         Switchboard atA = Switchboard.open(a.socketPath());
         Switchboard atB = Switchboard.open(b.socketPath())) {
      // Ingress -> server, against a direct TCP connect to a server.
      SynchronousQueue<Object> held = new SynchronousQueue<>();
      atA.serve(Labels.of("svc", "web", "host", "a"), intro -> {
        try {
          held.put(intro.socket());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      Switchboard ingressHandle = atA.constrain(EnumSet.of(Right.INGRESS_CONNECT), Labels.empty(), Labels.of("svc", "web"));
      ServerSocketChannel ingress = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
      Thread.ofPlatform().daemon(true).start(() -> {
        while (true) {
          try {
            SocketChannel c = ingress.accept();
            ingressHandle.ingress(SocketDescriptors.of(c), Labels.of("address_family", "inet"));
          } catch (Exception e) {
            return;
          }
        }
      });
      ServerSocket direct = new ServerSocket(0, 128, java.net.InetAddress.getLoopbackAddress());
      Thread.ofPlatform().daemon(true).start(() -> {
        while (true) {
          try {
            held.put(direct.accept());
          } catch (Exception e) {
            return;
          }
        }
      });
      int ingressPort = ((InetSocketAddress) ingress.getLocalAddress()).getPort();
      Op viaIngress = () -> {
        try (Socket s = new Socket("127.0.0.1", ingressPort)) {
          ((io.capnet.value.Descriptor) held.poll(10, TimeUnit.SECONDS)).close();
        }
      };
      Op directTcp = () -> {
        try (Socket s = new Socket("127.0.0.1", direct.getLocalPort())) {
          ((Socket) held.poll(10, TimeUnit.SECONDS)).close();
        }
      };

      // Federated connect A -> B, against a direct tcp-tls session (connect, start-session, first answer).
      SynchronousQueue<Switchboard.Introduction> arrivedAtB = new SynchronousQueue<>();
      atB.serve(Labels.of("svc", "db"), intro -> {
        try {
          arrivedAtB.put(intro);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      FederationEndpoint endpoint = FederationEndpoint.serve(
          atB.constrain(EnumSet.of(Right.CLIENT_CONNECT), Labels.empty(), Labels.empty()),
          TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0));
      FederationLink link = FederationLink.link(atA.constrain(EnumSet.of(Right.EGRESS_START), Labels.empty(), Labels.empty()),
          TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0), endpoint.sturdyref(), Labels.of("host", "b"));
      Op federated = () -> {
        Switchboard.Introduction mine = atA.connect(Labels.of("host", "b", "svc", "db"));
        Switchboard.Introduction theirs = arrivedAtB.poll(10, TimeUnit.SECONDS);
        mine.socket().close();
        theirs.socket().close();
      };
      Peer server = Peer.builder().name("tls-server").netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)).build();
      String echo = server.export(server.spawn(Methods.builder().on("echo", x -> x.get(0)).build())).toUri();
      Op directTls = () -> {
        try (Peer client = Peer.builder().name("tls-client").netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)).build()) {
          Object r = client.enliven(echo).send("echo", "x").future().get(10, TimeUnit.SECONDS);
          if (!"x".equals(r)) throw new IllegalStateException("echo answered " + r);
        }
      };

      double[][] ingressRows = alternate(rounds, viaIngress, directTcp);
      double[][] fedRows = alternate(Math.max(30, rounds / 5), federated, directTls);
      System.out.printf("%-52s %12s %-40s %8s %s%n", "figure", "median", "baseline (same run, median)", "ratio", "target");
      row("ingress -> server connection setup", ingressRows, "direct TCP connect to a server", "report");
      row("federated connect across two Switchboards (loopback)", fedRows, "direct tcp-tls session + first answer", "<= 1.5x");
      link.close();
      endpoint.close();
      server.close();
      ingress.close();
      direct.close();
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Runs the two operations in alternation, warm-up first; returns their times in microseconds. */
  static double[][] alternate(int rounds, Op figure, Op baseline) throws Exception {
    for (int i = 0; i < Math.max(10, rounds / 10); i++) {
      figure.run();
      baseline.run();
    }
    double[] f = new double[rounds];
    double[] b = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      figure.run();
      long t1 = System.nanoTime();
      baseline.run();
      long t2 = System.nanoTime();
      f[i] = (t1 - t0) / 1e3;
      b[i] = (t2 - t1) / 1e3;
    }
    return new double[][] {f, b};
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  static void row(String what, double[][] r, String baseline, String target) {
    double f = median(r[0]);
    double b = median(r[1]);
    double ratio = f / b;
    String verdict = target.startsWith("<=") ? (ratio <= Double.parseDouble(target.substring(3, target.length() - 1)) ? " met" : " MISSED") : "";
    System.out.printf("%-52s %9.1f us %-31s %6.1f us %7.2fx %s%s%n", what, f, baseline, b, ratio, target, verdict);
  }
}
