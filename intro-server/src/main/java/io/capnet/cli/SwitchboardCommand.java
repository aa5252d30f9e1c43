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
        + " line per connection event to stderr. Stops cleanly on SIGTERM or SIGINT, removing its socket."
        + " Under systemd: with neither PATH nor --listen-fd it serves fd 3 when LISTEN_FDS=1 and LISTEN_PID"
        + " is its pid (socket activation), and sends READY=1 and STOPPING=1 to NOTIFY_SOCKET when set.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"1:could not listen (the message says why), LISTEN_FDS/LISTEN_PID pass it a socket it cannot serve,"
        + " or the --state-dir is refused (its mode, owner, or a corrupt file, named)",
        "2:usage error (also: no PATH, no --listen-fd and no socket activation)",
        "143:stopped by SIGTERM (130 by SIGINT): 128 plus the signal, after the socket is removed (a passed one stays)"})
final class SwitchboardCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  // Optional: under socket activation LISTEN_FDS/LISTEN_PID say where (SocketActivation).
  @ArgGroup(exclusive = true, multiplicity = "0..1")
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

  @Option(names = "--max-connections", defaultValue = "16384",
      description = "clients connected at once, in all; more are closed as they are accepted (default ${DEFAULT-VALUE})")
  int maxConnections;

  @Option(names = "--max-connections-per-uid", defaultValue = "16384",
      description = "clients connected at once from one uid (default ${DEFAULT-VALUE})")
  int maxPerUid;

  @Option(names = "--start-timeout-ms", defaultValue = "10000",
      description = "how long a new connection has to send op:start-session (default ${DEFAULT-VALUE})")
  long startTimeoutMs;

  @Option(names = "--max-unstarted-per-uid", defaultValue = "64",
      description = "connections from one uid that have not finished op:start-session; each also ends at the"
          + " session start timeout (default ${DEFAULT-VALUE})")
  int maxUnstartedPerUid;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "keep the daemon's key (its designator) and every sturdyref it minted in DIR, made mode 0700"
          + " if missing, so they survive restarts; a DIR or file in it that another user can write, or that is"
          + " not this uid's, or a corrupt file, stops the daemon (exit 1). Without it the key is fresh at every"
          + " start and sturdyrefs end with the process")
  Path stateDir;

  @Option(names = "--max-sturdyrefs-per-handle", defaultValue = "1000", paramLabel = "N",
      description = "sturdyrefs one handle may have minted and not dropped (default ${DEFAULT-VALUE})")
  int maxSturdyrefsPerHandle;

  @Option(names = "--uds-signatures", defaultValue = "goblins", paramLabel = "goblins|draft",
      description = "how the unix-domain-socket introduction protocol's signatures are written where the draft and"
          + " Goblins disagree (spec/uds.md); both are read (default ${DEFAULT-VALUE})")
  String udsSignatures;

  @Override
  public Integer call() throws InterruptedException {
    SwitchboardDaemon.Builder b = SwitchboardDaemon.builder().rootPolicy(rootPolicy);
    switch (udsSignatures) {
      case "goblins" -> b.udsSignatureForm(io.capnet.unix.Uds.SignatureForm.GOBLINS);
      case "draft" -> b.udsSignatureForm(io.capnet.unix.Uds.SignatureForm.DRAFT);
      default -> {
        spec.commandLine().getErr().println("capnet switchboard: --uds-signatures " + udsSignatures
            + ": expected goblins or draft");
        return Capnet.USAGE;
      }
    }
    if (stateDir != null) b.stateDir(stateDir);
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
      b.sessionLimits(io.capnet.captp.SessionLimits.DEFAULT.withStartTimeout(Duration.ofMillis(startTimeoutMs)));
      b.admission(maxConnections, maxPerUid, maxUnstartedPerUid);
      b.maxSturdyrefsPerHandle(maxSturdyrefsPerHandle);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("capnet switchboard: " + e.getMessage());
      return Capnet.USAGE;
    }
    try {
      b.socketMode(mode);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("capnet switchboard: --mode " + mode
          + " is not a permission string like rw------- (" + e.getMessage() + ")");
      return Capnet.USAGE;
    }
    java.io.PrintWriter err = spec.commandLine().getErr();
    SocketActivation.Found activation;
    try {
      activation = SocketActivation.find(System.getenv(), ProcessHandle.current().pid());
    } catch (SocketActivation.Refused e) {
      err.println("capnet switchboard: " + e.getMessage());
      return Capnet.REFUSED;
    }
    Integer fd = where == null ? null : where.listenFd;
    if (activation.activated()) {
      // The same socket twice (--listen-fd 3, as units written before activation support) is fine.
      if (where != null && !Integer.valueOf(activation.fd()).equals(fd)) {
        err.println("capnet switchboard: LISTEN_FDS=1 and LISTEN_PID (this process) pass a socket on fd "
            + activation.fd() + ", and " + (fd == null ? "PATH " + where.path : "--listen-fd " + fd)
            + " was given too; give one");
        return Capnet.USAGE;
      }
      fd = activation.fd();
    } else if (where == null) {
      err.println("capnet switchboard: give PATH or --listen-fd N, or start it by socket activation"
          + (activation.ignored() == null ? " (LISTEN_FDS and LISTEN_PID are not set)" : " (" + activation.ignored() + ")"));
      return Capnet.USAGE;
    }
    SwitchboardDaemon daemon;
    try {
      if (fd == null) b.socketPath(where.path);
      else b.listenFd(fd);
      daemon = b.start();
    } catch (IOException | RuntimeException e) {
      err.println("capnet switchboard: " + (activation.activated() ? "the socket passed by LISTEN_FDS: " : "")
          + e.getMessage());
      return Capnet.REFUSED;
    }
    SystemdNotify notify = SystemdNotify.of(System.getenv(SystemdNotify.VARIABLE));
    CountDownLatch stopped = new CountDownLatch(1);
    boolean removes = fd == null;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Before closing: systemd then knows the exit that follows is the stop it asked for.
      sendQuietly(notify, "STOPPING=1", err);
      daemon.close();
      // java.util.logging resets its handlers in a shutdown hook of its own, so say it directly.
      err.println(removes ? "capnet switchboard: stopped; removed " + daemon.socketPath()
          : "capnet switchboard: stopped; the inherited socket stays with whoever passed it");
      err.flush();
      stopped.countDown();
    }, "switchboard-shutdown"));
    spec.commandLine().getOut().println(daemon.locator().toUri());
    spec.commandLine().getOut().flush();
    sendQuietly(notify, "READY=1", err);
    stopped.await();
    return 0;
  }

  /** A notification that cannot be sent is reported, but never stops the daemon. */
  private static void sendQuietly(SystemdNotify notify, String state, java.io.PrintWriter err) {
    try {
      notify.send(state);
    } catch (IOException e) {
      err.println("capnet switchboard: " + e.getMessage());
      err.flush();
    }
  }
}
