package io.capnet.switchboard;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Runs a task in the daemon's vat from another thread and waits for its result. */
final class InVat {
  private InVat() {}

  /**
   * The task's result; a RuntimeException it throws is thrown here as it was.
   *
   * @throws IllegalStateException if the vat does not answer within 30 s
   */
  static <T> T call(Executor vat, Supplier<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    vat.execute(() -> {
      try {
        f.complete(task.get());
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      throw new IllegalStateException("the switchboard vat did not answer: " + e, e);
    }
  }
}
