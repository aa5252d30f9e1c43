package io.capnet.cli;

import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.SocketDescriptors;
import io.capnet.unix.Switchboard;
import io.capnet.unix.UnixSockets;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Opens outgoing connections for clients, like flower_egress_connect. */
@Command(
    name = "egress-connect",
    mixinStandardHelpOptions = true,
    description = "Register an egress (needs EGRESS_START) that opens the connection a client's labels"
        + " describe and hands the socket to the client: address_family inet or inet6 with"
        + " server_address and server_port (numeric; no DNS, see `capnet resolver`), or address_family"
        + " unix with server_path. A missing, non-numeric or NUL-carrying label is refused with a"
        + " message naming it; a refused connection returns the system's error text to the client.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"1:the Switchboard refused the registration", "2:usage error",
        "3:no Switchboard could be reached, or it was lost"})
final class EgressConnectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin SwitchboardOption switchboard;

  @Parameters(arity = "0..1", paramLabel = "LABELS-JSON", description = "labels clients must match to use this egress")
  String labelsJson;

  @Option(names = "--connect-timeout-ms", defaultValue = "3000", description = "per connection (default ${DEFAULT-VALUE})")
  int connectTimeoutMs;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Labels labels = ClientExit.labels(labelsJson, err, "egress-connect");
    if (labels == null) return ClientExit.USAGE;
    return ClientExit.withSwitchboard(switchboard, err, "egress-connect", root -> {
      Switchboard sb = root.constrain(EnumSet.of(Right.EGRESS_START), labels, Labels.empty());
      Switchboard.Registration reg = sb.egress(Labels.empty(), l -> new Switchboard.Introduction(open(l, err), Labels.empty()));
      out.println("egress " + reg.labels().toJson());
      out.flush();
      return ClientExit.untilLost(root, err, "egress-connect");
    });
  }

  private Descriptor open(Labels l, PrintWriter err) throws IOException {
    String family = required(l, "address_family");
    try {
      Descriptor d = switch (family) {
        case "inet", "inet6" -> {
          InetAddress host = Addresses.numericHost(required(l, "server_address"), "label 'server_address'");
          if (family.equals("inet") != (host instanceof java.net.Inet4Address)) {
            throw new IllegalArgumentException("label 'server_address' is not an " + family + " address");
          }
          int port = Addresses.port(required(l, "server_port"), "label 'server_port'");
          SocketChannel c = SocketChannel.open();
          try {
            c.socket().connect(new InetSocketAddress(host, port), connectTimeoutMs);
          } catch (IOException e) {
            c.close();
            throw e;
          }
          yield SocketDescriptors.of(c);
        }
        case "unix" -> SocketDescriptors.of(UnixSockets.connect(Path.of(required(l, "server_path"))));
        default -> throw new IllegalArgumentException("label 'address_family' is '" + family
            + "'; this egress opens inet, inet6 and unix");
      };
      log(err, "connected " + l.toJson());
      return d;
    } catch (IOException | IllegalArgumentException e) {
      log(err, "refused " + l.toJson() + ": " + e.getMessage());
      throw e;
    }
  }

  private static String required(Labels l, String key) {
    String v = l.get(key).orElseThrow(() -> new IllegalArgumentException("label '" + key + "' is missing"));
    if (v.indexOf('\0') >= 0) throw new IllegalArgumentException("label '" + key + "' contains a NUL byte");
    return v;
  }

  private static void log(PrintWriter err, String line) {
    synchronized (err) {
      err.println(line);
      err.flush();
    }
  }
}
