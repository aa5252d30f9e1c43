package io.capnet.cli;

import io.capnet.locator.Sturdyref;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardProtocol;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        + " LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are removed from the child's environment."
        + " With --sandbox (Linux, bubblewrap) CMD instead holds the handle as an inherited socket,"
        + " fd 3 in CAPNET_SWITCHBOARD_FD, and runs with no network, nothing writable and no"
        + " file-system socket outside the --ro paths (never the daemon's).",
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

  @Option(names = "--sandbox",
      description = "run CMD under bubblewrap (bwrap): in an empty network namespace of its own, the system"
          + " directories and the --ro paths bound read-only, nothing writable, and the handle"
          + " only as the inherited fd in CAPNET_SWITCHBOARD_FD")
  boolean sandbox;

  @Option(names = "--ro", paramLabel = "PATH",
      description = "with --sandbox: a file or directory to bind read-only (repeatable), e.g. CMD's"
          + " class path; a socket file inside one stays reachable, except the daemon's own")
  List<Path> readOnly = List.of();

  @Parameters(paramLabel = "CMD", arity = "1..*", description = "the command and its arguments (after --)")
  List<String> command;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    Labels inLabels = ClientExit.labels(in, err, "run");
    Labels outLabels = inLabels == null ? null : ClientExit.labels(out, err, "run");
    if (outLabels == null) return ClientExit.USAGE;
    if (!readOnly.isEmpty() && !sandbox) {
      err.println("capnet run: --ro is for --sandbox");
      return ClientExit.USAGE;
    }
    if (sandbox) return sandboxed(err, inLabels, outLabels);
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

  private int sandboxed(PrintWriter err, Labels inLabels, Labels outLabels) throws InterruptedException {
    String unsupported = Sandbox.unsupported(System.getProperty("os.name"));
    Path bwrap = unsupported != null ? null : Sandbox.findBwrap(System.getenv());
    if (unsupported == null && bwrap == null) unsupported = Sandbox.missingBwrap();
    FdSpawn spawner = null;
    if (unsupported == null) {
      try {
        spawner = FdSpawn.load();
      } catch (IOException e) {
        unsupported = "--sandbox: " + e.getMessage();
      }
    }
    if (unsupported != null) {
      err.println("capnet run: " + unsupported);
      return ClientExit.UNREACHABLE;
    }
    List<String> argv;
    try {
      argv = Sandbox.command(bwrap, readOnly, daemonSocket(), Path.of(""), command);
    } catch (IOException e) {
      err.println("capnet run: " + e.getMessage());
      return ClientExit.USAGE;
    }
    FdSpawn spawn = spawner;
    return ClientExit.withSwitchboard(switchboard, err, "run", sb -> {
      Set<Right> keep = rights.isEmpty() ? EnumSet.noneOf(Right.class) : EnumSet.copyOf(rights);
      Switchboard child = sb.constrain(keep, inLabels, outLabels);
      Map<String, String> env = new HashMap<>(System.getenv());
      env.remove(Switchboard.STURDYREF_VARIABLE);
      SocketActivation.scrub(env);
      env.put(Switchboard.FD_VARIABLE, "3");
      FdSpawn.Child started;
      // Closing the Descriptor closes only this process's copy, never shuts the socket down.
      try (Descriptor handle = child.socket()) {
        int fd = org.newsclub.net.unix.FileDescriptorCast.using(handle.fileDescriptor()).as(Integer.class);
        // bwrap's --die-with-parent watches the thread that starts it: this one, which waits.
        started = spawn.spawn(bwrap.toString(), argv, env, fd);
      } catch (IOException e) {
        err.println("capnet run: cannot start " + command.get(0) + " in the sandbox: " + e.getMessage());
        return ClientExit.UNREACHABLE;
      }
      return started.waitFor();
    });
  }

  /** The daemon's socket path, when this process knows it, so the sandbox can hide it. */
  private Path daemonSocket() {
    if (switchboard.path != null) return switchboard.path;
    String uri = System.getenv(Switchboard.STURDYREF_VARIABLE);
    if (uri == null || uri.isBlank()) return null;
    try {
      String path = Sturdyref.parse(uri.trim()).peer().hints().get(SwitchboardProtocol.PATH_HINT);
      return path == null ? null : Path.of(path);
    } catch (RuntimeException e) {
      return null; // opening the handle will say what is wrong with it
    }
  }
}
