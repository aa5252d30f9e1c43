package io.capnet.cli;

import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** Exit codes and the shared shape of the commands that talk to a Switchboard. */
final class ClientExit {
  private ClientExit() {}

  /** The Switchboard refused (the message starts with its code). */
  static final int REFUSED = 1;
  /** Bad arguments. */
  static final int USAGE = 2;
  /** The Switchboard could not be reached, or the connection failed. */
  static final int UNREACHABLE = 3;

  /** What a command does with its Switchboard; returns the exit code. */
  @FunctionalInterface
  interface Body {
    int run(Switchboard root) throws IOException, SwitchboardException, InterruptedException;
  }

  /**
   * Opens the Switchboard, runs {@code body}, and turns a refusal into exit 1 and a lost or
   * unreachable Switchboard into exit 3, each with a message that starts with the command's name.
   */
  static int withSwitchboard(SwitchboardOption option, PrintWriter err, String command, Body body)
      throws InterruptedException {
    try (Switchboard root = option.open()) {
      return body.run(root);
    } catch (SwitchboardException e) {
      err.println("capnet " + command + ": " + e.getMessage());
      return REFUSED;
    } catch (IOException e) {
      err.println("capnet " + command + ": " + e.getMessage());
      return UNREACHABLE;
    }
  }

  /** For commands that serve until the Switchboard goes away: waits for that, says why, exits 3. */
  static int untilLost(Switchboard root, PrintWriter err, String command) throws InterruptedException {
    AtomicReference<String> lost = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    root.onLost(reason -> {
      lost.set(reason);
      done.countDown();
    });
    done.await();
    err.println("capnet " + command + ": lost the Switchboard: " + lost.get());
    return UNREACHABLE;
  }

  /** Labels from an optional JSON argument, or null after printing why they are not. */
  static Labels labels(String json, PrintWriter err, String command) {
    try {
      return json == null ? Labels.empty() : Labels.parseJson(json);
    } catch (IllegalArgumentException e) {
      err.println("capnet " + command + ": " + e.getMessage());
      return null;
    }
  }
}
