package io.capnet.examples.crosshost;

import java.util.Arrays;

/**
 * {@code cross-host} (as root: the whole demo), {@code cross-host server SOCKET} or
 * {@code cross-host client SOCKET LABELS-JSON MESSAGE}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    // The library logs each session's start and end at INFO; here only the example's own output matters.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (args.length == 0 ? "demo" : args[0]) {
      case "demo" -> Demo.main(rest);
      case "server" -> Greeter.main(rest);
      case "client" -> Client.main(rest);
      default -> {
        System.err.println("usage: cross-host [demo]        as root: two hosts in network namespaces, federated");
        System.err.println("       cross-host server SWITCHBOARD-SOCKET");
        System.err.println("       cross-host client SWITCHBOARD-SOCKET LABELS-JSON MESSAGE");
        System.exit(2);
      }
    }
  }
}
