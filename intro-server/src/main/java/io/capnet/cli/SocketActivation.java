package io.capnet.cli;

import java.util.List;
import java.util.Map;

/**
 * systemd's socket activation convention ({@code sd_listen_fds(3)}), read from the environment:
 * {@code LISTEN_PID} names the process the sockets are for and {@code LISTEN_FDS} how many there
 * are, starting at fd 3. The Switchboard serves exactly one socket, so any other count is refused.
 *
 * <p>Why no {@code unsetenv}: the JVM offers none (and FFM is not final on Java 21). The
 * variables stay in this process's own environment, but a process started from Java gets the
 * environment of its {@code ProcessBuilder}, so whoever starts children removes them there with
 * {@link #scrub} ({@code capnet run} does; the daemon starts none). The inherited fds themselves
 * never reach a child: the JDK closes every fd above 2 in a child before it execs.
 */
final class SocketActivation {
  /** {@code SD_LISTEN_FDS_START}: the first passed fd. */
  static final int FIRST_FD = 3;

  /** What sd_listen_fds(3) with unset_environment removes. */
  static final List<String> VARIABLES = List.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");

  /**
   * The outcome: {@code fd} is the socket to serve, or -1 when the variables are absent or are for
   * another process; then {@code ignored} says why they were ignored (null when they were absent).
   */
  record Found(int fd, String ignored) {
    boolean activated() {
      return fd >= 0;
    }
  }

  /** The variables named a socket for this process, but not in a way it can serve. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  private SocketActivation() {}

  /** Reads {@code LISTEN_PID}/{@code LISTEN_FDS} from {@code env} for the process {@code ownPid}. */
  static Found find(Map<String, String> env, long ownPid) throws Refused {
    String pid = env.get("LISTEN_PID");
    String fds = env.get("LISTEN_FDS");
    if (pid == null && fds == null) return new Found(-1, null);
    if (pid == null) return new Found(-1, "LISTEN_FDS is set but LISTEN_PID is not, so the sockets are not for this process");
    long forPid;
    try {
      forPid = Long.parseLong(pid.strip());
    } catch (NumberFormatException e) {
      throw new Refused("LISTEN_PID=" + pid + " is not a process id");
    }
    if (forPid != ownPid) {
      return new Found(-1, "LISTEN_PID=" + pid + " is another process (this is pid " + ownPid
          + "), so its sockets are not for this one");
    }
    if (fds == null) throw new Refused("LISTEN_PID=" + pid + " is this process but LISTEN_FDS is not set");
    int count;
    try {
      count = Integer.parseInt(fds.strip());
    } catch (NumberFormatException e) {
      throw new Refused("LISTEN_FDS=" + fds + " is not a count of sockets");
    }
    if (count != 1) {
      throw new Refused("LISTEN_FDS=" + fds + ": the Switchboard serves exactly one listening socket (fd "
          + FIRST_FD + "); give its socket unit one ListenStream=");
    }
    return new Found(FIRST_FD, null);
  }

  /** Removes the activation variables from a child's environment. */
  static void scrub(Map<String, String> env) {
    VARIABLES.forEach(env::remove);
  }
}
