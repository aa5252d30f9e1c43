package io.capnet.examples.harness;

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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Real processes for the examples' tests: a {@code capnet switchboard} daemon and the example's
 * own main classes, each in a JVM of its own with the test run's class path. Output is read on
 * background threads so no pipe fills; {@link #close()} kills everything and deletes the
 * temporary directory.
 */
public final class Processes implements AutoCloseable {
  /** How long any one awaited line may take: generous, since several JVMs share two cores. */
  public static final Duration WAIT = Duration.ofSeconds(30);

  private static final List<String> JVM_FLAGS = List.of(
      "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-Xmx96m");

  /** A fresh directory for sockets and files; short, since an AF_UNIX path must fit in 108 bytes. */
  public final Path dir;
  private final List<Proc> started = new ArrayList<>();

  public Processes() {
    try {
      dir = Files.createTempDirectory("capnet-ex-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts {@code capnet switchboard dir/sb.sock} and waits until it prints its locator. */
  public Proc switchboard() {
    return switchboard(List.of(), socket());
  }

  /** Starts {@code prefix... capnet switchboard socket} and waits until it prints its locator. */
  public Proc switchboard(List<String> prefix, Path socket) {
    Proc p = java(prefix, Map.of(), "io.capnet.cli.Capnet", "switchboard", socket.toString());
    p.stdout.awaitLine(l -> l.startsWith("ocapn://"), "the daemon's locator line");
    return p;
  }

  /** The daemon's socket path. */
  public Path socket() {
    return dir.resolve("sb.sock");
  }

  /** Starts {@code java mainClass args...}, with {@code env} added to an environment that holds no Switchboard handle. */
  public Proc java(Map<String, String> env, String mainClass, String... args) {
    return java(List.of(), env, mainClass, args);
  }

  /**
   * As {@link #java(Map, String, String...)}, run through {@code prefix}: a command that execs
   * the rest, such as {@code ip netns exec NAME}, so the process is still the JVM.
   */
  public Proc java(List<String> prefix, Map<String, String> env, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.addAll(JVM_FLAGS);
    cmd.add("-cp");
    // Absolute, since the child runs in dir: `java -jar example.jar` gives a relative class path.
    cmd.add(Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(e -> Path.of(e).toAbsolutePath().toString()).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().remove("CAPNET_SWITCHBOARD");
    pb.environment().remove("CAPNET_SWITCHBOARD_FD");
    pb.environment().putAll(env);
    String what = mainClass.substring(mainClass.lastIndexOf('.') + 1) + " " + String.join(" ", args);
    try {
      Proc p = new Proc(pb.start(), what);
      synchronized (started) {
        started.add(p);
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    List<Proc> all;
    synchronized (started) {
      all = List.copyOf(started);
    }
    for (Proc p : all) p.process.destroyForcibly();
    for (Proc p : all) {
      try {
        p.process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  /** How many descriptors process {@code pid} has open now. */
  public static int fdCount(long pid) {
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return (int) s.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Polls {@code condition} every 50 ms until it holds or {@code timeout} passes. */
  public static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) return false;
      Thread.sleep(50);
    }
    return true;
  }

  /** One started process. */
  public static final class Proc {
    public final Process process;
    public final Output stdout;
    public final Output stderr;
    private final String what;

    Proc(Process process, String what) {
      this.process = process;
      this.what = what;
      this.stdout = new Output(process.getInputStream(), what + " stdout", this);
      this.stderr = new Output(process.getErrorStream(), what + " stderr", this);
    }

    public long pid() {
      return process.pid();
    }

    /** Writes {@code line} and a newline to the process's stdin. */
    public Proc type(String line) {
      try {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    /** SIGKILL: the process gets no chance to say goodbye. */
    public void kill() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(10, TimeUnit.SECONDS)) throw new AssertionError(this + " did not die");
    }

    @Override
    public String toString() {
      return what + " (pid " + process.pid() + ")";
    }
  }

  /** A process's output, read to the end on a daemon thread. */
  public static final class Output {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final String name;
    private final Proc owner;
    private boolean ended;

    Output(InputStream in, String name, Proc owner) {
      this.name = name;
      this.owner = owner;
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
          // The process was killed; what was read stays.
        } finally {
          synchronized (this) {
            ended = true;
            notifyAll();
          }
        }
      });
    }

    public synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The complete lines so far. */
    public List<String> lines() {
      String t = text();
      return t.substring(0, t.lastIndexOf('\n') + 1).lines().toList();
    }

    /** Waits for a complete line equal to {@code line}. */
    public void awaitLine(String line) {
      awaitLine(line::equals, "the line \"" + line + "\"");
    }

    /** Waits for a complete line that {@code test} accepts, and returns the first such. */
    public String awaitLine(Predicate<String> test, String what) {
      await(() -> lines().stream().anyMatch(test), what);
      return lines().stream().filter(test).findFirst().orElseThrow();
    }

    /** Waits until {@code count} complete lines equal {@code line}. */
    public void awaitLines(String line, int count) {
      await(() -> lines().stream().filter(line::equals).count() >= count, count + " lines \"" + line + "\"");
    }

    private synchronized void await(BooleanSupplier done, String what) {
      long end = System.nanoTime() + WAIT.toNanos();
      try {
        while (!done.getAsBoolean()) {
          long left = end - System.nanoTime();
          if (ended || left <= 0) {
            throw new AssertionError((ended ? name + " ended" : "timed out after " + WAIT + " on " + name)
                + " without " + what + "; it holds:\n" + text() + "--- and " + owner + " wrote on stderr:\n"
                + (owner.stderr == this ? "(this)" : owner.stderr.text()));
          }
          wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
