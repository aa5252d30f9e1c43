package io.capnet.cli;

import io.capnet.codec.Codec;
import io.capnet.locator.Locator;
import io.capnet.locator.LocatorException;
import io.capnet.locator.PeerLocator;
import io.capnet.locator.Sturdyref;
import io.capnet.value.Values;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Parses an ocapn:// URI and shows its parts, its canonical URI and its record form. */
@Command(
    name = "locator",
    mixinStandardHelpOptions = true,
    description = {"Parse an ocapn:// peer locator or sturdyref and print its parts,",
        "its canonical URI, and its record form in notation and as Syrup hex."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:parsed", "1:not a valid locator; the message names the reason", "2:usage error"})
final class LocatorCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "URI", description = "e.g. ocapn://abc.tcp-testing-only?host=127.0.0.1&port=22045")
  String uri;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Locator loc;
    try {
      loc = Locator.parse(uri);
    } catch (LocatorException e) {
      spec.commandLine().getErr().println("capnet locator: " + e.getMessage());
      return Capnet.REFUSED;
    }
    PeerLocator peer = loc instanceof Sturdyref s ? s.peer() : (PeerLocator) loc;
    out.println("kind:        " + (loc instanceof Sturdyref ? "sturdyref" : "peer"));
    out.println("transport:   " + peer.transport());
    out.println("designator:  " + peer.designator());
    for (Map.Entry<String, String> h : peer.hints().entrySet()) {
      out.println("hint:        " + h.getKey() + "=" + h.getValue());
    }
    if (loc instanceof Sturdyref s) out.println("swiss (hex): " + s.swissNumber().hex());
    out.println("uri:         " + loc.toUri());
    out.println("record:      " + Values.describe(loc.toRecord()));
    out.println("syrup (hex): " + HexFormat.of().formatHex(Codec.syrup().encode(loc.toRecord())));
    return 0;
  }
}
