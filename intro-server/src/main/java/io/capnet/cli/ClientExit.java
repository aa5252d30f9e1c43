package io.capnet.cli;

/** Exit codes shared by the commands that talk to a Switchboard. */
final class ClientExit {
  private ClientExit() {}

  /** The Switchboard refused (the message starts with its code). */
  static final int REFUSED = 1;
  /** Bad arguments. */
  static final int USAGE = 2;
  /** The Switchboard could not be reached, or the connection failed. */
  static final int UNREACHABLE = 3;

  static final String[] CODES = {
    "0:success", "1:the Switchboard refused (the message starts with its code, e.g. NOT_FOUND)",
    "2:usage error", "3:no Switchboard could be reached, or the connection failed"};
}
