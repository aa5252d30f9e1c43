package io.capnet.captp;

import io.capnet.netlayer.EventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * A single-threaded event loop, as in E, that also does its sessions' I/O: one thread runs the
 * turns, selects over the vat's channels, reads, decodes, handles, encodes and writes. Turns
 * never overlap, so every object and table the vat owns is touched by one thread only and needs
 * no lock. Other threads post tasks, which wake the selector.
 *
 * <pre>
 *   loop: run posted tasks -> run due timers -> run before-wait tasks (flush writes)
 *         -> select (no wait if tasks are queued) -> ready channels' callbacks -> loop
 * </pre>
 *
 * <p>A platform thread, not a virtual one: turns are short and CPU-bound, and the loop blocks
 * only in {@code select}.
 */
final class Vat implements EventLoop {
  private static final System.Logger LOG = System.getLogger("io.capnet.captp.Vat");

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean awake = new AtomicBoolean(true);
  private final Selector selector;
  private final SelectorProvider provider;
  private final Thread thread;
  private final String name;
  private volatile boolean stopped;

  // Loop-confined.
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final ArrayDeque<Runnable> beforeWait = new ArrayDeque<>();
  private final Map<SelectorProvider, Secondary> secondaries = new HashMap<>();
  private long timerSeq;

  /** @param provider the selector kind of the vat's main netlayer; null for the JDK's own */
  Vat(String name, SelectorProvider provider) {
    this.name = name;
    this.provider = provider != null ? provider : SelectorProvider.provider();
    try {
      this.selector = this.provider.openSelector();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector for vat " + name, e);
    }
    thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    if (stopped) throw new RejectedExecutionException("the vat has stopped");
    queue.add(task);
    wake();
  }

  /** Like {@link #execute} but silently drops the task once the vat has stopped. */
  void post(Runnable task) {
    if (stopped) return;
    queue.add(task);
    wake();
  }

  private void wake() {
    if (!awake.getAndSet(true) && Thread.currentThread() != thread) selector.wakeup();
  }

  @Override
  public boolean inEventLoop() {
    return Thread.currentThread() == thread;
  }

  boolean inVat() {
    return inEventLoop();
  }

  void checkInVat() {
    if (!inVat()) throw new IllegalStateException("must run in the vat thread");
  }

  @Override
  public Registration register(SelectableChannel channel, int ops, IntConsumer ready) throws IOException {
    checkInVat();
    if (channel.provider() == provider) {
      SelectionKey key = channel.register(selector, ops, ready);
      return new Direct(key);
    }
    Secondary s = secondaries.get(channel.provider());
    if (s == null) {
      s = new Secondary(channel.provider());
      secondaries.put(channel.provider(), s);
    }
    return s.register(channel, ops, ready);
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    Timer t = new Timer(System.nanoTime() + Math.max(0, delayMillis) * 1_000_000L, task);
    if (inVat()) addTimer(t);
    else post(() -> addTimer(t));
    return t;
  }

  private void addTimer(Timer t) {
    t.seq = timerSeq++;
    if (!t.cancelled) timers.add(t);
  }

  @Override
  public void beforeWait(Runnable task) {
    checkInVat();
    beforeWait.add(task);
  }

  /** Runs the tasks already queued, then stops the thread and closes the selector. */
  void stop() {
    if (stopped) return;
    stopped = true;
    selector.wakeup();
    if (!inVat()) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  boolean isStopped() {
    return stopped;
  }

  private void loop() {
    try {
      while (true) {
        runTasks();
        runTimers();
        runBeforeWait();
        if (stopped) {
          runTasks();
          runBeforeWait();
          break;
        }
        select();
      }
    } finally {
      for (Secondary s : secondaries.values()) s.close();
      try {
        selector.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "closing the selector of " + name, e);
      }
    }
  }

  private void runTasks() {
    // Only what is queued now: tasks that post tasks cannot starve the selector.
    for (int n = queue.size(); n > 0; n--) {
      Runnable task = queue.poll();
      if (task == null) return;
      run(task);
    }
  }

  private void runTimers() {
    if (timers.isEmpty()) return;
    long now = System.nanoTime();
    while (!timers.isEmpty() && timers.peek().due - now <= 0) {
      Timer t = timers.poll();
      if (!t.cancelled) run(t.task);
    }
  }

  private void runBeforeWait() {
    for (Runnable r; (r = beforeWait.poll()) != null; ) run(r);
  }

  private void select() {
    try {
      awake.set(false);
      int n;
      if (!queue.isEmpty() || stopped) {
        n = selector.selectNow();
      } else if (timers.isEmpty()) {
        n = selector.select();
      } else {
        long waitNanos = timers.peek().due - System.nanoTime();
        n = waitNanos <= 0 ? selector.selectNow() : selector.select(Math.max(1, waitNanos / 1_000_000L));
      }
      awake.set(true);
      if (n == 0) return;
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        // junixsocket's selector cancels the key of a socket whose peer hung up, and still
        // reports it: the read that follows finds the end of stream.
        int ready;
        try {
          ready = key.isValid() ? key.readyOps() : SelectionKey.OP_READ;
        } catch (RuntimeException cancelled) {
          ready = SelectionKey.OP_READ;
        }
        IntConsumer callback = (IntConsumer) key.attachment();
        int ops = ready;
        run(() -> callback.accept(ops));
      }
    } catch (IOException | RuntimeException e) {
      awake.set(true);
      LOG.log(Level.WARNING, "select failed in vat " + name, e);
    }
  }

  private void run(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      LOG.log(Level.WARNING, "a turn failed in vat " + name, t);
    }
  }

  private static final class Direct implements Registration {
    private final SelectionKey key;

    Direct(SelectionKey key) {
      this.key = key;
    }

    @Override
    public void interestOps(int ops) {
      if (key.isValid()) key.interestOps(ops);
    }

    @Override
    public int interestOps() {
      return key.isValid() ? key.interestOps() : 0;
    }

    @Override
    public boolean isValid() {
      return key.isValid();
    }

    @Override
    public void cancel() {
      key.cancel();
    }
  }

  private final class Timer implements Comparable<Timer>, Cancellable {
    final long due;
    final Runnable task;
    long seq;
    volatile boolean cancelled;

    Timer(long due, Runnable task) {
      this.due = due;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
      if (inVat()) timers.remove(this);
    }

    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(due - o.due, 0);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  /**
   * Channels of another selector kind than the vat's (a JDK TCP channel in a vat whose main
   * netlayer is junixsocket's): a helper thread selects over them and hands each readiness to
   * the vat, with the channel's interest off until the vat has handled it.
   */
  private final class Secondary {
    private final Selector helper;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> changes = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    Secondary(SelectorProvider p) throws IOException {
      helper = p.openSelector();
      thread = Thread.ofPlatform().daemon(true).name(name + " secondary selector").start(this::run);
    }

    Registration register(SelectableChannel channel, int ops, IntConsumer ready) {
      HelperRegistration r = new HelperRegistration(this, ops);
      change(() -> {
        try {
          r.key = channel.register(helper, r.ops, r);
        } catch (ClosedChannelException e) {
          post(() -> ready.accept(SelectionKey.OP_READ)); // the read finds the closed channel
        }
      });
      r.ready = ready;
      return r;
    }

    void change(Runnable c) {
      changes.add(c);
      helper.wakeup();
    }

    private void run() {
      try {
        while (!closed) {
          for (Runnable c; (c = changes.poll()) != null; ) c.run();
          helper.select();
          Iterator<SelectionKey> it = helper.selectedKeys().iterator();
          while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            HelperRegistration r = (HelperRegistration) key.attachment();
            int readyOps;
            try {
              readyOps = key.readyOps();
              key.interestOps(0);
            } catch (RuntimeException cancelled) {
              readyOps = SelectionKey.OP_READ;
            }
            int fired = readyOps;
            post(() -> r.fire(fired));
          }
        }
      } catch (IOException | RuntimeException e) {
        if (!closed) LOG.log(Level.WARNING, "the secondary selector of " + name + " failed", e);
      } finally {
        try {
          helper.close();
        } catch (IOException e) {
          LOG.log(Level.DEBUG, "closing a secondary selector", e);
        }
      }
    }

    void close() {
      closed = true;
      helper.wakeup();
    }
  }

  /** A registration on a secondary selector; its fields are written in the vat. */
  private static final class HelperRegistration implements Registration {
    private final Secondary owner;
    volatile SelectionKey key;
    volatile int ops;
    IntConsumer ready;
    boolean cancelled;

    HelperRegistration(Secondary owner, int ops) {
      this.owner = owner;
      this.ops = ops;
    }

    void fire(int readyOps) {
      if (cancelled) return;
      ready.accept(readyOps);
      if (!cancelled) rearm();
    }

    private void rearm() {
      int want = ops;
      owner.change(() -> {
        SelectionKey k = key;
        if (k != null && k.isValid()) k.interestOps(want);
      });
    }

    @Override
    public void interestOps(int ops) {
      this.ops = ops;
      rearm();
    }

    @Override
    public int interestOps() {
      return ops;
    }

    @Override
    public boolean isValid() {
      SelectionKey k = key;
      return !cancelled && (k == null || k.isValid());
    }

    @Override
    public void cancel() {
      cancelled = true;
      owner.change(() -> {
        SelectionKey k = key;
        if (k != null) k.cancel();
      });
    }
  }
}
