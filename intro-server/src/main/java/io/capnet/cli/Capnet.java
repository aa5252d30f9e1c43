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
    subcommands = {DecodeCommand.class, LocatorCommand.class, OcapnTestPeerCommand.class,
        IdentityCommand.class, ServeGreeterCommand.class, CallCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:input refused (the message names the rule and byte offset)", "2:usage error"})
public final class Capnet {
  static final int REFUSED = 1;
  static final int USAGE = 2;

  public static void main(String[] args) {
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
