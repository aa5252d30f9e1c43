package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon's sessions share its vat's loop: 10,000 connected clients cost it no thread each.
 * A count, not a timing: the daemon is a real process, and its threads are read from
 * {@code /proc/<pid>/status}.
 */
@Timeout(300)
class TenThousandClientsProcessTest {
  static final int CLIENTS = 10_000;
  static final int MAX_DAEMON_THREADS = 16 + 24; // the target's 16, plus the JVM's own (GC, JIT, ...)

  @Test
  void tenThousandConnectedClientsCostTheDaemonNoThreadEach() throws Exception {
    try (CapnetProcesses capnet = new CapnetProcesses()) {
      // The test daemons' 96 MB heap is for a few clients; 10,000 need room of their own.
      Path socket = capnet.dir.resolve("sb.sock");
      List<String> cmd = CapnetProcesses.command("switchboard", socket.toString());
      cmd.add(cmd.indexOf("-cp"), "-Xmx1g");
      CapnetProcesses.CapnetProcess p = capnet.start(java.util.Map.of(), cmd);
      Daemon d = new Daemon(p, socket, p.stdout.awaitLine(l -> l.startsWith("ocapn://"), "the daemon's locator line"));
      int idle = threads(d.pid());
      int before = Thread.activeCount();
      ConcurrentLinkedQueue<Switchboard> open = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> jobs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          jobs.add(pool.submit(() -> {
            for (int i = 0; i < CLIENTS / 8; i++) open.add(Switchboard.open(d.socket()));
            return null;
          }));
        }
        for (Future<?> f : jobs) f.get();
        assertThat(open).hasSize(CLIENTS);
        // Every client is served: a call on the last one still answers.
        Switchboard last = open.peek();
        assertThat(last.list(Labels.empty())).isNotNull();
        int held = threads(d.pid());
        assertThat(held).as("daemon threads with %d clients (%d when idle)", CLIENTS, idle)
            .isLessThanOrEqualTo(MAX_DAEMON_THREADS)
            .isLessThanOrEqualTo(idle + 4);
        assertThat(Thread.activeCount() - before).as("client threads for %d Switchboard.open clients", CLIENTS)
            .isLessThanOrEqualTo(8 + 4);
      } finally {
        List<Future<?>> closing = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          closing.add(pool.submit(() -> {
            for (Switchboard s; (s = open.poll()) != null; ) s.close();
            return null;
          }));
        }
        for (Future<?> f : closing) f.get();
        pool.shutdownNow();
      }
    }
  }

  static int threads(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Threads:")) return Integer.parseInt(line.substring(8).trim());
    }
    throw new IllegalStateException("no Threads: line for pid " + pid);
  }
}
