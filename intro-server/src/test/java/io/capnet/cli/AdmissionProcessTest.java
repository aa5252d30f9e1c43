package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A local client that opens thousands of idle connections, then dribbles bytes into hundreds
 * more, holds only its uid's share of the daemon (issue 12, admission limits); another uid's
 * client connects and talks meanwhile, and fds and threads return to their baselines after.
 */
@Timeout(240)
class AdmissionProcessTest {
  private final CapnetProcesses capnet = new CapnetProcesses();

  @AfterEach
  void tearDown() throws Exception {
    capnet.close();
  }

  // As uid nobody: 5,000 idle connections, then 500 that send one byte a second, held until stdin ends.
  private static final String ATTACKER = String.join("\n",
      "import os, socket, sys, threading, time",
      "path = sys.argv[1]",
      "os.setgid(65534); os.setuid(65534)",
      "held = []",
      "def open_one():",
      "    s = socket.socket(socket.AF_UNIX)",
      "    try:",
      "        s.connect(path)",
      "    except OSError:",
      "        pass",
      "    held.append(s)",
      "    return s",
      "for i in range(5000): open_one()",
      "slow = [open_one() for i in range(500)]",
      "def drip():",
      "    while True:",
      "        for s in slow:",
      "            try: s.send(b'\\x00')",
      "            except OSError: pass",
      "        time.sleep(1)",
      "threading.Thread(target=drip, daemon=True).start()",
      "print('ready', flush=True)",
      "sys.stdin.read()");

  private static int threads(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Threads:")) return Integer.parseInt(line.substring(8).trim());
    }
    throw new AssertionError("no Threads: line for " + pid);
  }

  private void roundTrip(Daemon d, String word) {
    CapnetProcess server = capnet.start("cat", "-l", "--switchboard", d.path(), "{\"svc\":\"" + word + "\"}")
        .closeStdin(); // it has nothing to say
    server.stderr.awaitContains("serving: ");
    Result c = capnet.start("cat", "--switchboard", d.path(), "{\"svc\":\"" + word + "\"}").write(word + "\n")
        .closeStdin().finish();
    Result s = server.finish();
    assertThat(c.exit()).as("%s", c).isZero();
    assertThat(s.out()).as("%s", s).isEqualTo(word + "\n");
  }

  @Test
  void floodsOfIdleAndSlowConnectionsFromOneUidLeaveRoomForAnother() throws Exception {
    Files.setPosixFilePermissions(capnet.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Daemon d = capnet.daemon("--mode", "rw-rw-rw-", "--max-unstarted-per-uid", "64");
    roundTrip(d, "warm"); // opens what the daemon opens once
    assertThat(CapnetProcesses.eventually(Duration.ofSeconds(10),
        () -> capnet.run("ls", "--switchboard", d.path()).out().isEmpty())).isTrue();
    int fds = CapnetProcesses.fdCount(d.pid());
    int threads = threads(d.pid());

    CapnetProcess attacker = capnet.start(Map.of(), List.of("python3", "-c", ATTACKER, d.path()));
    attacker.stdout.awaitContains("ready");
    // Only the first 64 of the flood are held, each until the start timeout ends it.
    assertThat(CapnetProcesses.fdCount(d.pid())).as("daemon fds, %d before the flood", fds)
        .isLessThanOrEqualTo(fds + 64 + 4);
    assertThat(d.process().stderr.text()).contains("refused a connection from pid ")
        .contains("that have not started a session (maxUnstartedPerUid)");

    roundTrip(d, "during"); // root's client, while nobody's flood holds its share

    attacker.closeStdin();
    attacker.finish();
    assertThat(CapnetProcesses.eventually(Duration.ofSeconds(20), () -> CapnetProcesses.fdCount(d.pid()) <= fds))
        .as("daemon fds back to %d, now %d", fds, CapnetProcesses.fdCount(d.pid())).isTrue();
    assertThat(CapnetProcesses.eventually(Duration.ofSeconds(20), () -> {
      try {
        return threads(d.pid()) <= threads;
      } catch (Exception e) {
        return false;
      }
    })).as("daemon threads back to %d", threads).isTrue();
  }
}
