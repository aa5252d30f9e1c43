package io.capnet.netlayer;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** The accept loop every listening netlayer runs, on a thread of the netlayer's choosing. */
public final class AcceptLoop {
  private static final System.Logger LOG = System.getLogger("io.capnet.netlayer");
  private static final long RETRY_MS = 100;

  private AcceptLoop() {}

  /** A blocking accept, e.g. {@code serverSocket::accept}. */
  @FunctionalInterface
  public interface Acceptor<T> {
    T accept() throws IOException;
  }

  /**
   * Accepts until {@code closed} says so, handing each accepted socket to {@code each}, which
   * must not block for long (hand slow work to a thread of its own). A failed accept while open
   * (e.g. out of file descriptors), whether an IOException or a RuntimeException, is logged and
   * retried after 100 ms, so the loop neither dies nor spins; one after close ends the loop. A
   * handler that throws is logged and its socket closed. Returns when the loop ends.
   *
   * @param where names the listener in log lines
   */
  public static <T> void run(Acceptor<T> acceptor, BooleanSupplier closed, String where, Consumer<T> each) {
    while (!closed.getAsBoolean()) {
      T accepted;
      try {
        accepted = acceptor.accept();
      } catch (IOException | RuntimeException e) {
        // Whatever accept throws, the loop is the listener's only one: it must not die of it.
        if (closed.getAsBoolean()) return;
        LOG.log(Level.WARNING, "accept failed on " + where + ": " + e);
        try {
          Thread.sleep(RETRY_MS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        continue;
      }
      try {
        each.accept(accepted);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "handling an accepted connection failed on " + where + ": " + e);
        if (accepted instanceof AutoCloseable c) {
          try {
            c.close();
          } catch (Exception ignored) {
            // dropped in any case
          }
        }
      }
    }
  }
}
