package io.capnet.examples.sandbox;

import java.util.Arrays;

/**
 * {@code sandbox db SOCKET}, {@code sandbox parent SOCKET [TARGET...]} or
 * {@code sandbox probe TARGET...}: one jar, the three parts.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    // The library logs each session's start and end at INFO; here only the example's own output matters.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (args.length == 0 ? "" : args[0]) {
      case "db" -> Db.main(rest);
      case "parent" -> Parent.main(rest);
      case "probe" -> Probe.main(rest);
      default -> {
        System.err.println("usage: sandbox db SWITCHBOARD-SOCKET          serve {\"svc\":\"db\"}");
        System.err.println("       sandbox parent SWITCHBOARD-SOCKET [TARGET...]  run the probe under capnet run --sandbox");
        System.err.println("       sandbox probe TARGET...               (inside the sandbox) try the handle and each TARGET:");
        System.err.println("         tcp:HOST:PORT, unix:PATH, unix:@ABSTRACT-NAME, write:PATH, hold (wait for the end of stdin)");
        System.exit(2);
      }
    }
  }
}
