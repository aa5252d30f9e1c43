package io.capnet.examples.crosshost;

import io.capnet.examples.harness.Processes;
import io.capnet.examples.harness.Processes.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two hosts on one machine: network namespaces A and B joined by a veth pair (A is
 * {@value #ADDRESS_A}, B is {@value #ADDRESS_B}), each with its own Switchboard, and B's served
 * over tcp-tls on B's veth address and linked into A's as {@code {"host":"b"}}. The namespaces
 * share the file system, not the network: B's endpoint is reachable only across the veth.
 * {@link #close()} stops every process and deletes both namespaces.
 */
final class TwoHosts implements AutoCloseable {
  static final String ADDRESS_A = "10.77.0.1";
  static final String ADDRESS_B = "10.77.0.2";

  final Processes processes = new Processes();
  final String nsA;
  final String nsB;
  String designatorA;
  String designatorB;
  String endpoint;
  private boolean closed;

  /** Network namespaces could not be made here; the message says why. */
  static final class CannotMakeHosts extends Exception {
    CannotMakeHosts(String message) {
      super(message);
    }
  }

  private TwoHosts(String nsA, String nsB) {
    this.nsA = nsA;
    this.nsB = nsB;
  }

  /** Makes the namespaces and the veth pair between them, with their addresses up. */
  static TwoHosts make() throws CannotMakeHosts, IOException, InterruptedException {
    String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("Uid:")).map(l -> l.split("\\s+")[1]).findFirst().orElse("?");
    if (!uid.equals("0")) throw new CannotMakeHosts("making network namespaces needs root; this is uid " + uid);
    if (ip() == null) throw new CannotMakeHosts("making network namespaces needs ip (Debian's iproute2), which is not installed");
    long pid = ProcessHandle.current().pid();
    TwoHosts hosts = new TwoHosts("capnet-a-" + pid, "capnet-b-" + pid);
    String vethA = "cnva" + pid;
    String vethB = "cnvb" + pid;
    try {
      ip("netns", "add", hosts.nsA);
      ip("netns", "add", hosts.nsB);
      ip("link", "add", vethA, "type", "veth", "peer", "name", vethB);
      ip("link", "set", vethA, "netns", hosts.nsA);
      ip("link", "set", vethB, "netns", hosts.nsB);
      ip("-n", hosts.nsA, "addr", "add", ADDRESS_A + "/30", "dev", vethA);
      ip("-n", hosts.nsB, "addr", "add", ADDRESS_B + "/30", "dev", vethB);
      for (String[] up : new String[][] {{hosts.nsA, vethA}, {hosts.nsA, "lo"}, {hosts.nsB, vethB}, {hosts.nsB, "lo"}}) {
        ip("-n", up[0], "link", "set", up[1], "up");
      }
    } catch (IOException e) {
      hosts.close();
      throw new CannotMakeHosts("cannot make the network namespaces: " + e.getMessage());
    }
    return hosts;
  }

  /** Identities, one Switchboard per host, B's endpoint on its veth address, and A's link to it. */
  void federate() throws IOException, InterruptedException {
    designatorA = capnet("identity", "new", key("a").toString()).strip();
    designatorB = capnet("identity", "new", key("b").toString()).strip();
    processes.switchboard(in(nsA), socketA());
    processes.switchboard(in(nsB), socketB());
    Proc serve = processes.java(in(nsB), Map.of(), "io.capnet.cli.Capnet", "federation-serve", "--switchboard",
        socketB().toString(), "--identity", key("b").toString(), "--host", ADDRESS_B, "--out", "{\"zone\":\"public\"}");
    endpoint = serve.stdout.awaitLine(l -> l.startsWith("ocapn://"), "the endpoint's sturdyref");
    Proc link = processes.java(in(nsA), Map.of(), "io.capnet.cli.Capnet", "federation-link", "--switchboard",
        socketA().toString(), "--identity", key("a").toString(), endpoint, "{\"host\":\"b\"}");
    link.stdout.awaitLine(l -> l.startsWith("linked "), "the link's registration");
  }

  Path socketA() {
    return processes.dir.resolve("a.sock");
  }

  Path socketB() {
    return processes.dir.resolve("b.sock");
  }

  private Path key(String host) {
    return processes.dir.resolve(host + ".key");
  }

  /** Starts this example's {@code Main args...} on host A. */
  Proc onA(String... args) {
    return processes.java(in(nsA), Map.of(), Main.class.getName(), args);
  }

  /** Starts this example's {@code Main args...} on host B. */
  Proc onB(String... args) {
    return processes.java(in(nsB), Map.of(), Main.class.getName(), args);
  }

  private static List<String> in(String ns) {
    return List.of(ip(), "netns", "exec", ns);
  }

  /** The network namespaces {@code ip netns list} names now. */
  static List<String> namespaces() throws IOException, InterruptedException {
    return ip("netns", "list").lines().map(l -> l.split(" ")[0]).toList();
  }

  private String capnet(String... args) throws IOException, InterruptedException {
    Proc p = processes.java(Map.of(), "io.capnet.cli.Capnet", args);
    if (!p.process.waitFor(60, TimeUnit.SECONDS) || p.process.exitValue() != 0) {
      throw new IOException("capnet " + String.join(" ", args) + " failed: " + p.stderr.text());
    }
    return p.stdout.text();
  }

  private static String ip() {
    for (String p : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
      if (Files.isExecutable(Path.of(p))) return p;
    }
    return null;
  }

  private static String ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(ip()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new IOException("ip " + String.join(" ", args) + " did not finish");
    }
    if (p.exitValue() != 0) throw new IOException("ip " + String.join(" ", args) + ": " + out.strip());
    return out;
  }

  /** Every process first, then both namespaces (each tried even when the other fails). */
  @Override
  public void close() throws IOException {
    if (closed) return;
    closed = true;
    processes.close();
    IOException failed = null;
    for (String ns : List.of(nsA, nsB)) {
      try {
        if (namespaces().contains(ns)) ip("netns", "del", ns);
      } catch (IOException e) {
        failed = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed = new IOException("interrupted while deleting network namespace " + ns);
      }
    }
    if (failed != null) throw failed;
  }
}
