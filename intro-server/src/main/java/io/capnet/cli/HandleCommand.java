package io.capnet.cli;

import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
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

/** {@code capnet handle new|ls|drop|show}: sturdyrefs that last until dropped. */
@Command(
    name = "handle",
    mixinStandardHelpOptions = true,
    description = "Mint, list and drop Switchboard sturdyrefs. Each command acts as the handle it connects with"
        + " (--switchboard PATH, else CAPNET_SWITCHBOARD_FD, else CAPNET_SWITCHBOARD). With the daemon's"
        + " --state-dir a minted sturdyref survives restarts until it is dropped.",
    subcommands = {HandleCommand.New.class, HandleCommand.Ls.class, HandleCommand.Drop.class, HandleCommand.Show.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success (see each subcommand's --help)", "2:usage error, e.g. no subcommand"})
final class HandleCommand {
  @Command(
      name = "new",
      mixinStandardHelpOptions = true,
      description = "Print a sturdyref (ocapn://...) for a new handle with RIGHTs and labels added to this handle's:"
          + " rights only narrow and labels only grow. It lasts until `capnet handle drop`, and it is a secret:"
          + " whoever holds it holds the handle.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:printed", "1:the Switchboard refused (the message starts with its code, e.g."
          + " RESOURCE_EXHAUSTED at maxSturdyrefsPerHandle)", "2:usage error", "3:no Switchboard could be reached"})
  static final class New implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin SwitchboardOption switchboard;

    @Option(names = "--rights", split = ",", required = true, paramLabel = "RIGHT",
        description = "the new handle's rights, comma-separated: ${COMPLETION-CANDIDATES}")
    List<Right> rights;

    @Option(names = "--in", defaultValue = "{}", paramLabel = "JSON", description = "in-labels to add (for serving)")
    String in;

    @Option(names = "--out", defaultValue = "{}", paramLabel = "JSON", description = "out-labels to add (for connecting)")
    String out;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter err = spec.commandLine().getErr();
      Labels inLabels = ClientExit.labels(in, err, "handle new");
      Labels outLabels = inLabels == null ? null : ClientExit.labels(out, err, "handle new");
      if (outLabels == null) return ClientExit.USAGE;
      Set<Right> keep = rights.isEmpty() ? EnumSet.noneOf(Right.class) : EnumSet.copyOf(rights);
      return ClientExit.withSwitchboard(switchboard, err, "handle new", sb -> {
        PrintWriter o = spec.commandLine().getOut();
        o.println(sb.mint(keep, inLabels, outLabels));
        o.flush();
        return 0;
      });
    }
  }

  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = "Print one JSON object per sturdyref this handle minted and has not dropped, oldest first:"
          + " {\"id\":...,\"rights\":[...],\"in\":{...},\"out\":{...}}. The daemon keeps only a salted hash of each"
          + " sturdyref's secret, so it cannot print the URI again; `capnet handle drop ID` takes the id.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:success", "1:the Switchboard refused (the message starts with its code)",
          "2:usage error", "3:no Switchboard could be reached"})
  static final class Ls implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin SwitchboardOption switchboard;

    @Override
    public Integer call() throws InterruptedException {
      return ClientExit.withSwitchboard(switchboard, spec.commandLine().getErr(), "handle ls", sb -> {
        PrintWriter o = spec.commandLine().getOut();
        for (Switchboard.Minted m : sb.minted()) o.println(json(m.id(), m.rights(), m.in(), m.out()));
        o.flush();
        return 0;
      });
    }
  }

  @Command(
      name = "drop",
      mixinStandardHelpOptions = true,
      description = "Stop a sturdyref this handle minted from reaching its handle, for good: later fetches with it"
          + " fail, also after a restart. Handles already fetched with it keep working until their sessions end.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:dropped", "1:the Switchboard refused (NOT_FOUND: this handle made no such sturdyref)",
          "2:usage error", "3:no Switchboard could be reached"})
  static final class Drop implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin SwitchboardOption switchboard;

    @Parameters(paramLabel = "URI|ID", description = "the sturdyref, or its id from `capnet handle ls`")
    String which;

    @Override
    public Integer call() throws InterruptedException {
      return ClientExit.withSwitchboard(switchboard, spec.commandLine().getErr(), "handle drop", sb -> {
        sb.dropSturdyref(which);
        return 0;
      });
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print the rights and labels of the handle this command connects with, as one JSON object:"
          + " {\"rights\":[...],\"in\":{...},\"out\":{...}}.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:success", "1:the Switchboard refused (the message starts with its code)",
          "2:usage error", "3:no Switchboard could be reached"})
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin SwitchboardOption switchboard;

    @Override
    public Integer call() throws InterruptedException {
      return ClientExit.withSwitchboard(switchboard, spec.commandLine().getErr(), "handle show", sb -> {
        PrintWriter o = spec.commandLine().getOut();
        o.println(json(null, sb.rights(), sb.inLabels(), sb.outLabels()));
        o.flush();
        return 0;
      });
    }
  }

  /** Rights in declaration order; label JSON as {@code capnet ls} prints it (keys sorted). */
  static String json(String id, Set<Right> rights, Labels in, Labels out) {
    StringBuilder b = new StringBuilder("{");
    if (id != null) b.append("\"id\":\"").append(id).append("\",");
    b.append("\"rights\":[");
    List<String> names = Right.names(rights);
    for (int i = 0; i < names.size(); i++) b.append(i == 0 ? "" : ",").append('"').append(names.get(i)).append('"');
    return b.append("],\"in\":").append(in.toJson()).append(",\"out\":").append(out.toJson()).append('}').toString();
  }
}
