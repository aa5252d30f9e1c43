package io.capnet.captp;

import java.lang.System.Logger.Level;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * A single-threaded event loop, as in E: each task is one turn, and turns never overlap, so every
 * object and table the vat owns is touched by one thread only and needs no lock.
 *
 * <p>A platform thread, not a virtual one: turns are short and CPU-bound, and a vat thread that
 * never yields its carrier is what a virtual thread is worst at.
 */
final class Vat implements Executor {
  private static final System.Logger LOG = System.getLogger("io.capnet.captp.Vat");
  private static final Runnable STOP = () -> {};

  private final LinkedTransferQueue<Runnable> queue = new LinkedTransferQueue<>();
  private final Thread thread;
  private volatile boolean stopped;

  Vat(String name) {
    thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    if (stopped) throw new RejectedExecutionException("the vat has stopped");
    queue.add(task);
  }

  /** Like {@link #execute} but silently drops the task once the vat has stopped. */
  void post(Runnable task) {
    if (!stopped) queue.add(task);
  }

  boolean inVat() {
    return Thread.currentThread() == thread;
  }

  void checkInVat() {
    if (!inVat()) throw new IllegalStateException("must run in the vat thread");
  }

  /** Runs the tasks already queued, then stops the thread. */
  void stop() {
    if (stopped) return;
    stopped = true;
    queue.add(STOP);
    if (!inVat()) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void loop() {
    while (true) {
      Runnable task;
      try {
        task = queue.take();
      } catch (InterruptedException e) {
        continue;
      }
      if (task == STOP) {
        queue.clear();
        return;
      }
      try {
        task.run();
      } catch (Throwable t) {
        LOG.log(Level.WARNING, "a turn failed in vat " + thread.getName(), t);
      }
    }
  }
}
