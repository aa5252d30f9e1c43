package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Starts {@code capnet} as real processes for tests: the same JVM binary and class path as the
 * test run (as {@link OcapnTestPeerProcessTest} does), output collected on background threads so
 * no pipe ever fills, and everything destroyed and the temporary directory deleted on
 * {@link #close()}. The environment never carries the test runner's {@code CAPNET_SWITCHBOARD*}.
 */
final class CapnetProcesses implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(15);

  private static final List<String> JVM_FLAGS = List.of(
      "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
      "-Xmx96m");

  final Path dir;
  private final List<CapnetProcess> started = new ArrayList<>();

  CapnetProcesses() {
    try {
      // Short: an AF_UNIX path has to fit in 108 bytes.
      dir = Files.createTempDirectory("capnet-cli-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The command line that runs {@code capnet args...} in a new JVM. */
  static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.addAll(JVM_FLAGS);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.capnet.cli.Capnet");
    cmd.addAll(Arrays.asList(args));
    return cmd;
  }

  /** Starts {@code capnet args...}. */
  CapnetProcess start(String... args) {
    return start(Map.of(), command(args));
  }

  /** Starts {@code cmd} with {@code env} added to a clean environment. */
  CapnetProcess start(Map<String, String> env, List<String> cmd) {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().remove("CAPNET_SWITCHBOARD");
    pb.environment().remove("CAPNET_SWITCHBOARD_FD");
    pb.environment().putAll(env);
    try {
      CapnetProcess p = new CapnetProcess(pb.start(), String.join(" ", cmd.subList(cmd.indexOf("io.capnet.cli.Capnet") + 1, cmd.size())));
      synchronized (started) {
        started.add(p);
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code capnet args...} with an empty stdin to the end. */
  Result run(String... args) {
    return start(args).closeStdin().finish();
  }

  /** The Switchboard daemon on {@code dir/sb.sock}, started and listening. */
  Daemon daemon(String... extraArgs) {
    return daemon(dir.resolve("sb.sock"), extraArgs);
  }

  Daemon daemon(Path socket, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("switchboard", socket.toString()));
    args.addAll(Arrays.asList(extraArgs));
    CapnetProcess p = start(args.toArray(String[]::new));
    String locator = p.stdout.awaitLine(l -> l.startsWith("ocapn://"), "the daemon's locator line");
    return new Daemon(p, socket, locator);
  }

  @Override
  public void close() throws IOException {
    List<CapnetProcess> all;
    synchronized (started) {
      all = List.copyOf(started);
    }
    for (CapnetProcess p : all) {
      p.process.descendants().forEach(ProcessHandle::destroyForcibly); // e.g. the children of capnet run
      p.process.destroyForcibly();
    }
    for (CapnetProcess p : all) {
      try {
        p.process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  /** Polls {@code condition} every 50 ms until it holds or {@code timeout} passes. */
  static boolean eventually(Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) return true;
      if (System.nanoTime() > end) return false;
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** How many descriptors a process has open now. */
  /** The fd count of {@code pid} once it has not changed for 300 ms. */
  static int settledFdCount(long pid) throws InterruptedException {
    int last = fdCount(pid);
    for (int same = 0; same < 6; ) {
      Thread.sleep(50);
      int now = fdCount(pid);
      same = now == last ? same + 1 : 0;
      last = now;
    }
    return last;
  }

  static int fdCount(long pid) {
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return (int) s.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void kill(String signal, long pid) {
    try {
      Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      assertThat(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0).as("kill -%s %d", signal, pid).isTrue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A finished process: exit code and everything it wrote. */
  record Result(String what, int exit, String out, String err) {
    /**
     * The first stderr line starting with {@code prefix} (the command's own message, past any log
     * lines), or the whole stderr when there is none, so that a failed assertion shows it.
     */
    String errLine(String prefix) {
      return err.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse(err);
    }

    @Override
    public String toString() {
      return "capnet " + what + " exited " + exit + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
  }

  /** A started daemon. */
  record Daemon(CapnetProcess process, Path socket, String locator) {
    long pid() {
      return process.pid();
    }

    String path() {
      return socket.toString();
    }
  }

  /** One {@code capnet} process. */
  static final class CapnetProcess {
    final Process process;
    final String what;
    final Output stdout;
    final Output stderr;

    CapnetProcess(Process process, String what) {
      this.process = process;
      this.what = what;
      this.stdout = new Output(process.getInputStream(), what + " stdout");
      this.stderr = new Output(process.getErrorStream(), what + " stderr");
    }

    long pid() {
      return process.pid();
    }

    CapnetProcess write(String text) {
      try {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    CapnetProcess closeStdin() {
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    /** Waits for the exit and for both streams to end. */
    Result finish() {
      return finish(WAIT);
    }

    Result finish(Duration timeout) {
      try {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
          throw new AssertionError("capnet " + what + " did not exit within " + timeout + "\n--- stdout:\n"
              + stdout.text() + "--- stderr:\n" + stderr.text());
        }
        stdout.awaitEnd(Duration.ofSeconds(5));
        stderr.awaitEnd(Duration.ofSeconds(5));
        return new Result(what, process.exitValue(), stdout.text(), stderr.text());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public String toString() {
      return "capnet " + what + " (pid " + process.pid() + ")";
    }
  }

  /** A process's output stream, read to the end on a daemon thread. */
  static final class Output {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final String name;
    private boolean ended;

    Output(InputStream in, String name) {
      this.name = name;
      Thread.ofPlatform().daemon(true).name("output " + name).start(() -> {
        byte[] buf = new byte[8192];
        try (in) {
          for (int n; (n = in.read(buf)) >= 0; ) {
            synchronized (this) {
              bytes.write(buf, 0, n);
              notifyAll();
            }
          }
        } catch (IOException e) {
          // The process was destroyed; what was read stays.
        } finally {
          synchronized (this) {
            ended = true;
            notifyAll();
          }
        }
      });
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    synchronized boolean ended() {
      return ended;
    }

    List<String> lines() {
      return text().lines().toList();
    }

    /** Waits until the text contains {@code part}; returns the whole text. */
    String awaitContains(String part) {
      return await(t -> t.contains(part), "\"" + part + "\"", WAIT);
    }

    /** Waits for a complete line that {@code test} accepts, and returns it. */
    String awaitLine(java.util.function.Predicate<String> test, String what) {
      await(t -> t.lines().anyMatch(test) && t.lines().filter(test).findFirst()
          .map(l -> t.contains(l + "\n")).orElse(false), what, WAIT);
      return text().lines().filter(test).findFirst().orElseThrow();
    }

    synchronized String await(java.util.function.Predicate<String> test, String what, Duration timeout) {
      long end = System.nanoTime() + timeout.toNanos();
      try {
        while (true) {
          String t = bytes.toString(StandardCharsets.UTF_8);
          if (test.test(t)) return t;
          long left = end - System.nanoTime();
          if (ended || left <= 0) {
            throw new AssertionError((ended ? name + " ended" : "timed out after " + timeout + " on " + name)
                + " without " + what + "; it holds:\n" + t);
          }
          wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Waits for end of stream; returns whether it came. */
    synchronized boolean awaitEnd(Duration timeout) throws InterruptedException {
      long end = System.nanoTime() + timeout.toNanos();
      while (!ended) {
        long left = end - System.nanoTime();
        if (left <= 0) return false;
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
      return true;
    }
  }
}
