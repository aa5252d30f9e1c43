package io.capnet.examples.files;

import java.util.Arrays;

/** {@code file-server server SOCKET ROOT} or {@code file-server client SOCKET}: one jar, both sides. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    // The library logs each session's start and end at INFO; here only the example's own output matters.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (args.length == 0 ? "" : args[0]) {
      case "server" -> FileServer.main(rest);
      case "client" -> FileClient.main(rest);
      default -> {
        System.err.println("usage: file-server server SWITCHBOARD-SOCKET ROOT-DIRECTORY");
        System.err.println("       file-server client SWITCHBOARD-SOCKET   (the capability in FILES_CAP)");
        System.exit(2);
      }
    }
  }
}
