package io.capnet.cli;

import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Lists registered servers, like flower_ls. */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = "Print one JSON object per server visible through the handle (needs the LIST right),"
        + " optionally narrowed by labels.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:the Switchboard refused (the message starts with its code)",
        "2:usage error", "3:no Switchboard could be reached"})
final class LsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin SwitchboardOption switchboard;

  @Parameters(paramLabel = "LABELS-JSON", arity = "0..1", description = "only servers these labels match")
  String filterJson;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Labels filter = ClientExit.labels(filterJson, err, "ls");
    if (filter == null) return ClientExit.USAGE;
    return ClientExit.withSwitchboard(switchboard, err, "ls", sb -> {
      for (Labels l : sb.list(filter)) out.println(l.toJson());
      out.flush();
      return 0;
    });
  }
}
