package io.capnet.cli;

import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.switchboard.SwitchboardDaemon.RootPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The Switchboard daemon. */
@Command(
    name = "switchboard",
    mixinStandardHelpOptions = true,
    description = "Run the Switchboard daemon on an AF_UNIX socket: processes register and connect by"
        + " labels, and each introduction hands both sides one end of a fresh socket pair. Logs one"
        + " line per connection event to stderr. Stops cleanly on SIGTERM or SIGINT, removing its socket.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"1:could not listen (the message says why)", "2:usage error",
        "143:stopped by SIGTERM (130 by SIGINT): 128 plus the signal, after the socket is removed"})
final class SwitchboardCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Where where;

  static final class Where {
    @Parameters(paramLabel = "PATH", description = "the socket to create (a stale one is removed; a live one is refused)")
    Path path;

    @Option(names = "--listen-fd", paramLabel = "N", description = "serve an inherited listening socket (socket activation)")
    Integer listenFd;
  }

  @Option(names = "--mode", defaultValue = "rw-------", description = "the socket file's permissions (default ${DEFAULT-VALUE})")
  String mode;

  @Option(names = "--root-policy", defaultValue = "SAME_UID",
      description = "who gets the root handle by connecting: SAME_UID (processes of this daemon's uid),"
          + " ANY_UID, or NONE (handles only by sturdyref or fd) (default ${DEFAULT-VALUE})")
  RootPolicy rootPolicy;

  @Option(names = "--call-deadline-ms", defaultValue = "5000",
      description = "how long a server has to take a connection (default ${DEFAULT-VALUE})")
  long deadlineMs;

  @Option(names = "--max-pending-connects", defaultValue = "64",
      description = "connects waiting on one server before more are refused (default ${DEFAULT-VALUE})")
  int maxPending;

  @Override
  public Integer call() throws InterruptedException {
    SwitchboardDaemon.Builder b = SwitchboardDaemon.builder().rootPolicy(rootPolicy);
    try {
      b.callDeadline(Duration.ofMillis(deadlineMs));
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("capnet switchboard: --call-deadline-ms " + deadlineMs + ": " + e.getMessage());
      return Capnet.USAGE;
    }
    try {
      b.maxPendingConnects(maxPending);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("capnet switchboard: --max-pending-connects " + maxPending + ": " + e.getMessage());
      return Capnet.USAGE;
    }
    try {
      b.socketMode(mode);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("capnet switchboard: --mode " + mode
          + " is not a permission string like rw------- (" + e.getMessage() + ")");
      return Capnet.USAGE;
    }
    SwitchboardDaemon daemon;
    try {
      if (where.path != null) b.socketPath(where.path);
      else b.listenFd(where.listenFd);
      daemon = b.start();
    } catch (IOException | RuntimeException e) {
      spec.commandLine().getErr().println("capnet switchboard: " + e.getMessage());
      return Capnet.REFUSED;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    java.io.PrintWriter err = spec.commandLine().getErr();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      daemon.close();
      // java.util.logging resets its handlers in a shutdown hook of its own, so say it directly.
      err.println("capnet switchboard: stopped; removed " + daemon.socketPath());
      err.flush();
      stopped.countDown();
    }, "switchboard-shutdown"));
    spec.commandLine().getOut().println(daemon.locator().toUri());
    spec.commandLine().getOut().flush();
    stopped.await();
    return 0;
  }
}
