package io.capnet.cli;

import io.capnet.federation.FederationLink;
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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Registers, as an egress, a link to another host's Switchboard. */
@Command(
    name = "federation-link",
    mixinStandardHelpOptions = true,
    description = "Register on this host's Switchboard (needs EGRESS_START) an egress under LABELS-JSON whose"
        + " connections are made by the remote host's `capnet federation-serve`, reached over tcp-tls by"
        + " its STURDYREF. A client here then connects by labels to a server there; the bytes cross one"
        + " TLS connection, and the client gets the union of both sides' labels plus federation_peer.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"1:the Switchboard refused, or the identity could not be read", "2:usage error",
        "3:a Switchboard or the remote endpoint could not be reached, or was lost"})
final class FederationLinkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin SwitchboardOption switchboard;

  @Option(names = "--identity", paramLabel = "FILE", description = "this host's Ed25519 key file; default: a fresh identity")
  Path identity;

  @Parameters(index = "0", paramLabel = "STURDYREF", description = "what the remote `capnet federation-serve` printed")
  String sturdyref;

  @Parameters(index = "1", arity = "0..1", paramLabel = "LABELS-JSON", description = "labels clients use to reach the link")
  String labelsJson;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Labels labels = ClientExit.labels(labelsJson, err, "federation-link");
    if (labels == null) return ClientExit.USAGE;
    return ClientExit.withSwitchboard(switchboard, err, "federation-link", root -> {
      TlsIdentity id = identity == null ? TlsIdentity.generate() : TlsIdentity.load(identity);
      Switchboard narrow = root.constrain(EnumSet.of(Right.EGRESS_START), Labels.empty(), Labels.empty());
      FederationLink made;
      try {
        made = FederationLink.link(narrow, TcpTls.netlayer(id, "127.0.0.1", 0), sturdyref, labels);
      } catch (IllegalArgumentException e) {
        err.println("capnet federation-link: " + e.getMessage());
        return ClientExit.USAGE;
      }
      try (FederationLink link = made) {
        stdout.println("linked " + link.labels().toJson());
        stdout.flush();
        return ClientExit.untilLost(root, err, "federation-link");
      }
    });
  }
}
