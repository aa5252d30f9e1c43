package io.capnet.netlayer;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.Executor;
import java.util.function.IntConsumer;

/**
 * The single thread a {@code Peer}'s vat runs on, as netlayers see it: a selector over the
 * vat's channels, a task queue that other threads post to, and timers. Everything a
 * {@link Link} does runs here; {@link #execute} may be called from any thread.
 */
public interface EventLoop extends Executor {
  /** Whether the calling thread is this loop's. */
  boolean inEventLoop();

  /**
   * Watches {@code channel} (already non-blocking) for {@code ops}; {@code ready} runs in the loop
   * with the ready ops. A channel of another selector kind than the loop's own is watched by a
   * helper thread that hands readiness over to the loop (one hand-off, secondary netlayers only).
   * Call from the loop.
   */
  Registration register(SelectableChannel channel, int ops, IntConsumer ready) throws IOException;

  /** Runs {@code task} in the loop after {@code delayMillis}, unless cancelled first. */
  Cancellable schedule(long delayMillis, Runnable task);

  /**
   * Runs {@code task} in the loop once the work at hand is done, before the loop next waits:
   * writes queued in one batch of work go out in one system call. Call from the loop.
   */
  void beforeWait(Runnable task);

  /** A channel's place in the loop's selector. Methods are called from the loop. */
  interface Registration {
    void interestOps(int ops);

    int interestOps();

    /** False once cancelled, by {@link #cancel()} or by a selector that saw the peer hang up. */
    boolean isValid();

    /** Stops watching; the channel itself is not closed. */
    void cancel();
  }

  /** A scheduled task that has not run yet. */
  interface Cancellable {
    void cancel();
  }
}
