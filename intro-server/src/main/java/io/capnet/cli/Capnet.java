package io.capnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code capnet} command line. Exit codes: 0 success, 1 the input was refused (its error
 * names the rule and offset), 2 usage error.
 */
@Command(
    name = "capnet",
    mixinStandardHelpOptions = true,
    version = "capnet 0.1.0",
    description = "Capability-secure networking in the OCapN style.",
    subcommands = {DemoCommand.class, SwitchboardCommand.class, CatCommand.class, LsCommand.class, RunCommand.class, HandleCommand.class,
        IngressAcceptCommand.class, EgressConnectCommand.class, ResolverCommand.class,
        FederationServeCommand.class, FederationLinkCommand.class,
        IdentityCommand.class, ServeGreeterCommand.class, CallCommand.class,
        DecodeCommand.class, LocatorCommand.class, OcapnTestPeerCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:input refused, or the Switchboard refused (the message says why)", "2:usage error",
        "3:no Switchboard could be reached (client commands)"})
public final class Capnet {
  static final int REFUSED = 1;
  static final int USAGE = 2;
  // Held so that the level set on it is not lost when the logger would be collected.
  private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.capnet");

  public static void main(String[] args) {
    // One line per log record, as the daemon promises (java.util.logging's default takes two).
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    }
    // Session log lines are for the daemon and the test peer; client commands print only their own messages.
    boolean serving = args.length > 0 && (args[0].equals("switchboard") || args[0].equals("ocapn-test-peer")
        || args[0].equals("serve-greeter"));
    if (!serving) QUIET.setLevel(java.util.logging.Level.WARNING);
    System.exit(run(args));
  }

  static int run(String... args) {
    return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Capnet());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(e -> USAGE);
    return cl.execute(args);
  }
}
