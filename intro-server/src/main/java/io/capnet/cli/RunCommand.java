package io.capnet.cli;

import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import java.io.IOException;
import java.io.PrintWriter;
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

/** CloudABI's launcher pattern: a child gets a constrained handle and nothing more. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Start CMD with a constrained Switchboard handle in CAPNET_SWITCHBOARD (a sturdyref),"
        + " and wait for it; the sturdyref is dropped when CMD exits. CAPNET_SWITCHBOARD_FD and systemd's"
        + " LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are removed from the child's environment.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"CMD's exit code:CMD ran", "1:the Switchboard refused the constraint",
        "2:usage error", "3:no Switchboard could be reached, or CMD could not be started"})
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin SwitchboardOption switchboard;

  @Option(names = "--rights", split = ",", required = true, paramLabel = "RIGHT",
      description = "rights to keep, comma-separated: ${COMPLETION-CANDIDATES}")
  List<Right> rights;

  @Option(names = "--in", defaultValue = "{}", paramLabel = "JSON", description = "in-labels to add (for serving)")
  String in;

  @Option(names = "--out", defaultValue = "{}", paramLabel = "JSON", description = "out-labels to add (for connecting)")
  String out;

  @Parameters(paramLabel = "CMD", arity = "1..*", description = "the command and its arguments (after --)")
  List<String> command;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    Labels inLabels = ClientExit.labels(in, err, "run");
    Labels outLabels = inLabels == null ? null : ClientExit.labels(out, err, "run");
    if (outLabels == null) return ClientExit.USAGE;
    return ClientExit.withSwitchboard(switchboard, err, "run", sb -> {
      Set<Right> keep = rights.isEmpty() ? EnumSet.noneOf(Right.class) : EnumSet.copyOf(rights);
      Switchboard child = sb.constrain(keep, inLabels, outLabels);
      String uri = child.sturdyref();
      ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
      pb.environment().remove(Switchboard.FD_VARIABLE);
      // Socket activation is for the process it names, never for CMD (sd_listen_fds(3)).
      SocketActivation.scrub(pb.environment());
      pb.environment().put(Switchboard.STURDYREF_VARIABLE, uri);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        err.println("capnet run: cannot start " + command.get(0) + ": " + e.getMessage());
        return ClientExit.UNREACHABLE;
      }
      int code = p.waitFor();
      // The URI was for this child: it must not outlive it.
      child.dropSturdyref(uri);
      return code;
    });
  }
}
