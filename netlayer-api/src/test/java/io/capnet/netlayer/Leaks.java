package io.capnet.netlayer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Counts this process's open file descriptors and threads, for tests that check nothing leaked. */
public final class Leaks {
  private Leaks() {}

  public static long openFds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asserts the fd count comes back to {@code baseline}. Closing is synchronous, but the JDK may
   * release a socket's fd a moment after close() returns when another thread was still using it.
   */
  public static void assertFdsReturnTo(long baseline) throws InterruptedException {
    long now = openFds();
    for (int i = 0; i < 100 && now > baseline; i++) {
      Thread.sleep(50);
      now = openFds();
    }
    assertThat(now).as("open file descriptors (baseline %d)", baseline).isLessThanOrEqualTo(baseline);
  }

  /**
   * Every live thread, platform and virtual, by thread id: "name" or "name (virtual)". Virtual
   * threads are not in {@link Thread#getAllStackTraces()}, so this reads a JSON thread dump,
   * which lists them all (the JDK tracks every virtual thread unless jdk.trackAllThreads=false).
   * Threads the JDK or JUnit start on their own when first needed are left out, each named
   * precisely by {@link #jvmOwn}.
   */
  public static Map<Long, String> liveThreads() {
    Map<Long, Thread> platform = Thread.getAllStackTraces().keySet().stream()
        .collect(Collectors.toMap(Thread::threadId, Function.identity(), (a, b) -> a));
    Map<Long, String> live = new TreeMap<>();
    try {
      Path dump = Files.createTempFile("capnet-threads-", ".json");
      try {
        Files.delete(dump); // dumpThreads refuses to overwrite
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
            .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        try (JsonParser p = new JsonFactory().createParser(dump.toFile())) {
          while (p.nextToken() != null) {
            if (p.currentToken() == JsonToken.FIELD_NAME && p.currentName().equals("threads")) {
              p.nextToken(); // START_ARRAY
              while (p.nextToken() == JsonToken.START_OBJECT) {
                long tid = -1;
                String name = null;
                boolean virtual = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                  String f = p.currentName();
                  p.nextToken();
                  switch (f) {
                    case "tid" -> tid = Long.parseLong(p.getText());
                    case "name" -> name = p.getText();
                    case "virtual" -> virtual = p.getBooleanValue();
                    default -> p.skipChildren();
                  }
                }
                if (virtual) live.put(tid, name + " (virtual)");
                else if (!jvmOwn(platform.get(tid), name)) live.put(tid, name);
              }
            }
          }
        }
      } finally {
        Files.deleteIfExists(dump);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return live;
  }

  /**
   * The platform threads the JDK and JUnit start lazily and keep: the carrier threads and timer
   * threads of the virtual-thread scheduler, and JUnit's {@code @Timeout} watcher.
   */
  private static boolean jvmOwn(Thread t, String name) {
    if (t != null) {
      String c = t.getClass().getName();
      if (c.equals("jdk.internal.misc.CarrierThread") || c.equals("java.util.concurrent.DelayScheduler")) return true;
    }
    return Set.of("VirtualThread-unblocker", "VirtualThread-unparker", "junit-jupiter-timeout-watcher",
        "Attach Listener").contains(name);
  }

  /**
   * The live threads once they stop changing: sampled until two samples 50 ms apart agree
   * (at most 2 s), so that threads already ending are not counted as the baseline.
   */
  public static Map<Long, String> settledThreads() throws InterruptedException {
    Map<Long, String> last = liveThreads();
    for (int i = 0; i < 40; i++) {
      Thread.sleep(50);
      Map<Long, String> now = liveThreads();
      if (now.equals(last)) return now;
      last = now;
    }
    return last;
  }

  /** Asserts that within 5 s every thread not in {@code baseline} has ended. */
  public static void assertThreadsReturnTo(Map<Long, String> baseline) throws InterruptedException {
    List<String> extra = List.of();
    for (int i = 0; i < 100; i++) {
      Map<Long, String> now = liveThreads();
      now.keySet().removeAll(baseline.keySet());
      extra = List.copyOf(now.values());
      if (extra.isEmpty()) return;
      Thread.sleep(50);
    }
    assertThat(extra).as("threads started since the baseline and still alive").isEmpty();
  }
}
