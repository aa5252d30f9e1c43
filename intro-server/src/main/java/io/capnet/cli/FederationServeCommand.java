package io.capnet.cli;

import io.capnet.federation.FederationEndpoint;
import io.capnet.tcptls.TcpTls;
import io.capnet.tcptls.TlsIdentity;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Offers this host's Switchboard to other hosts over tcp-tls. */
@Command(
    name = "federation-serve",
    mixinStandardHelpOptions = true,
    description = "Serve this host's Switchboard to other hosts' federation links over tcp-tls. Prints a"
        + " sturdyref (a secret: whoever holds it can connect through this host, within --out). Remote"
        + " connects go through a handle with only CLIENT_CONNECT and the --out labels fixed.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"1:the Switchboard refused, or the identity could not be read", "2:usage error",
        "3:no Switchboard could be reached, or it was lost"})
final class FederationServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin SwitchboardOption switchboard;

  @Option(names = "--identity", paramLabel = "FILE", description = "this host's Ed25519 key file; default: a fresh identity")
  Path identity;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "0", description = "port to listen on; 0 picks one (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--out", defaultValue = "{}", paramLabel = "JSON", description = "labels every remote connect is fixed to")
  String out;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Labels outLabels = ClientExit.labels(out, err, "federation-serve");
    if (outLabels == null) return ClientExit.USAGE;
    return ClientExit.withSwitchboard(switchboard, err, "federation-serve", root -> {
      TlsIdentity id = identity == null ? TlsIdentity.generate() : TlsIdentity.load(identity);
      Switchboard narrow = root.constrain(EnumSet.of(Right.CLIENT_CONNECT), Labels.empty(), outLabels);
      try (FederationEndpoint endpoint = FederationEndpoint.serve(narrow, TcpTls.netlayer(id, host, port))) {
        stdout.println(endpoint.sturdyref());
        stdout.flush();
        return ClientExit.untilLost(root, err, "federation-serve");
      }
    });
  }
}
