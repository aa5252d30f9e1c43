package io.capnet.bench;

import io.capnet.switchboard.SwitchboardDaemon;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Switchboard daemon in a process of its own, for {@link UnixHeapProbe}: {@code java -cp
 * benchmarks.jar io.capnet.bench.UnixDaemonMain <socket path>}. Prints {@code ready} once
 * listening; then, for each {@code heap} line on stdin, runs full GCs and prints one line
 * {@code heap <used bytes> direct <bytes> threads <n> rss <kB>}; {@code quit} (or end of input)
 * stops it.
 */
public final class UnixDaemonMain {
  private UnixDaemonMain() {}

  public static void main(String[] args) throws Exception {
    UnixBenchSupport.quietLogs();
    try (SwitchboardDaemon daemon = SwitchboardDaemon.builder().socketPath(Path.of(args[0])).start()) {
      System.out.println("ready");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
        if (line.equals("heap")) {
          System.out.println(measure());
          System.out.flush();
        }
      }
    }
    System.exit(0);
  }

  /** Heap in use after full collections (System.gc() is a full GC with G1), and what lies outside it. */
  static String measure() throws Exception {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    long direct = 0;
    for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (b.getName().equals("direct")) direct = b.getMemoryUsed();
    }
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    long rss = 0;
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("VmRSS:")) rss = Long.parseLong(l.replaceAll("[^0-9]", ""));
    }
    return "heap " + used + " direct " + direct + " threads " + threads + " rss " + rss;
  }
}
