package io.capnet.cli;

import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The resolver Flower left as a stub: names to the address labels an egress takes. */
@Command(
    name = "resolver",
    mixinStandardHelpOptions = true,
    description = "Register a resolver (needs RESOLVER_START) for connects that carry server_hostname and"
        + " server_service labels: it resolves them with the system resolver (getaddrinfo, via the JDK)"
        + " and /etc/services into targets of address_family, server_address and server_port, each with"
        + " weight 1, cached by the Switchboard for --cache-seconds.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"1:the Switchboard refused the registration", "2:usage error",
        "3:no Switchboard could be reached, or it was lost"})
final class ResolverCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin SwitchboardOption switchboard;

  @Parameters(arity = "0..1", paramLabel = "LABELS-JSON", description = "labels a connect must match to use this resolver")
  String labelsJson;

  @Option(names = "--cache-seconds", defaultValue = "60", description = "how long answers may be cached (default ${DEFAULT-VALUE})")
  long cacheSeconds;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Labels labels = ClientExit.labels(labelsJson, err, "resolver");
    if (labels == null) return ClientExit.USAGE;
    return ClientExit.withSwitchboard(switchboard, err, "resolver", root -> {
      Switchboard sb = root.constrain(EnumSet.of(Right.RESOLVER_START), labels, Labels.empty());
      sb.resolver(Set.of("server_hostname", "server_service"), q -> resolve(q, err));
      out.println("resolving server_hostname and server_service");
      out.flush();
      return ClientExit.untilLost(root, err, "resolver");
    });
  }

  private Switchboard.Resolution resolve(Labels q, PrintWriter err) throws IOException {
    String host = q.get("server_hostname").orElseThrow();
    String service = q.get("server_service").orElseThrow();
    int port = service.matches("\\d{1,5}") ? Addresses.port(service, "server_service") : servicePort(service);
    List<Switchboard.Resolution.Target> targets = new ArrayList<>();
    for (InetAddress a : InetAddress.getAllByName(host)) {
      targets.add(new Switchboard.Resolution.Target(Labels.of(
          "address_family", a instanceof Inet4Address ? "inet" : "inet6",
          "server_address", a.getHostAddress(), "server_port", Integer.toString(port)), 1));
    }
    synchronized (err) {
      err.println("resolved " + q.toJson() + " to " + targets.size() + " targets");
      err.flush();
    }
    return new Switchboard.Resolution(targets, Duration.ofSeconds(cacheSeconds));
  }

  /** A TCP service name from /etc/services. */
  static int servicePort(String name) throws IOException {
    Path services = Path.of("/etc/services");
    if (Files.isReadable(services)) {
      for (String line : Files.readAllLines(services)) {
        String[] f = line.replaceAll("#.*", "").trim().split("\\s+");
        if (f.length < 2 || !f[1].endsWith("/tcp")) continue;
        for (int i = 0; i < f.length; i++) {
          if ((i == 0 || i >= 2) && f[i].equals(name)) return Integer.parseInt(f[1].substring(0, f[1].indexOf('/')));
        }
      }
    }
    throw new IOException("unknown service '" + name + "' (not numeric, and not a tcp service in /etc/services)");
  }
}
