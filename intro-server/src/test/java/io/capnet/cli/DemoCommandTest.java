package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;

import io.capnet.cli.CapnetProcesses.Result;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's main-job command, run as its own process with a private temporary directory, so
 * what it makes there and leaves there can be seen from outside rather than read from its output.
 */
class DemoCommandTest {
  @Test
  @Timeout(60)
  void demoExchangesBytesAndAnFdAndLeavesNoTemporaryDirectory() throws Exception {
    // Short, as the daemon's socket path under it has to fit in an AF_UNIX address.
    Path tmp = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"),
        "cd" + Long.toHexString(new java.security.SecureRandom().nextInt() & 0xffffffL)));
    try (CapnetProcesses capnet = new CapnetProcesses();
        WatchService watch = FileSystems.getDefault().newWatchService()) {
      // Registered before the demo starts: inotify then reports every directory it creates.
      tmp.register(watch, ENTRY_CREATE);
      List<String> cmd = new ArrayList<>(CapnetProcesses.command("demo"));
      cmd.add(1, "-Djava.io.tmpdir=" + tmp);
      CapnetProcesses.CapnetProcess demo = capnet.start(Map.of(), cmd);
      Result r = demo.closeStdin().finish(java.time.Duration.ofSeconds(45));
      assertThat(r.exit()).as("%s", r).isZero();

      List<String> created = new ArrayList<>();
      for (WatchKey k = watch.poll(); k != null; k = watch.poll()) {
        for (WatchEvent<?> e : k.pollEvents()) {
          if (e.kind() == ENTRY_CREATE) created.add(e.context().toString());
        }
      }
      // junixsocket also unpacks its native library there, and removes it once loaded.
      assertThat(created).as("what the demo created in its temporary directory")
          .filteredOn(n -> !n.contains("libjunixsocket-native"))
          .singleElement().asString().startsWith("capnet-demo-");
      try (Stream<Path> left = Files.list(tmp)) {
        assertThat(left.toList()).as("what the demo left behind").isEmpty();
      }

      // Data that only reaches stdout by crossing the introduced socket both ways, and by being
      // read through the passed descriptor in the other peer.
      assertThat(r.out()).contains("\"echo: hello over a direct socket\"")
          .contains("\"the contents of an open file, read through a passed descriptor\"");
      // The switchboard learnt the client's pid from the socket (SO_PEERCRED): the demo's own.
      assertThat(r.out()).contains("\"client_pid\":\"" + demo.pid() + "\"");
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }
}
