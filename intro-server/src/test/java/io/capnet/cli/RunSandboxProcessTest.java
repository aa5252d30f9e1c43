package io.capnet.cli;

import static io.capnet.cli.CapnetProcesses.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code capnet run --sandbox} with a shell as the child: what it holds (fds, environment), what
 * it sees of the file system, and its exit. examples/sandbox has the JVM child that uses the handle.
 */
@Timeout(90)
class RunSandboxProcessTest {
  CapnetProcesses capnet;
  Daemon daemon;

  @BeforeEach
  void setUp() {
    assumeTrue(System.getProperty("os.name").startsWith("Linux"), "capnet run --sandbox is Linux only");
    capnet = new CapnetProcesses();
    daemon = capnet.daemon();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (capnet != null) capnet.close();
  }

  private static void assumeBwrap() {
    boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "bwrap")));
    assumeTrue(found, "bwrap is not installed: the sandbox tests need Debian's bubblewrap package"
        + " (apt-get install bubblewrap; .ci/run installs it when run as root)");
  }

  private Result sandboxed(Map<String, String> env, List<String> options, String script) {
    List<String> cmd = new ArrayList<>(command("run", "--switchboard", daemon.path(), "--sandbox",
        "--rights", "CLIENT_CONNECT", "--out", "{\"svc\":\"db\"}"));
    cmd.addAll(options);
    cmd.addAll(List.of("--", "/bin/sh", "-c", script));
    return capnet.start(env, cmd).closeStdin().finish();
  }

  @Test
  void theChildHoldsFd3AsItsHandleAndNoOtherFdOrSturdyref() {
    assumeBwrap();
    // The shell's fds, listed by ls (whose own directory fd is in its own /proc entry, not the
    // shell's); no pipe or command substitution, which would add the shell's end of a pipe.
    Result r = sandboxed(Map.of("CAPNET_SWITCHBOARD", "ocapn://not-for-the-child"), List.of(),
        "ls /proc/$$/fd;"
            + " echo \"fd=$CAPNET_SWITCHBOARD_FD sturdyref=${CAPNET_SWITCHBOARD-unset}\"; readlink /proc/$$/fd/3");
    assertThat(r.exit()).as("%s", r).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.subList(0, 5)).containsExactly("0", "1", "2", "3", "fd=3 sturdyref=unset");
    assertThat(lines.get(5)).startsWith("socket:[");
  }

  @Test
  void nothingIsWritableAndTheDaemonsSocketIsHiddenEvenInsideABoundDirectory() throws Exception {
    assumeBwrap();
    Path bound = Files.createDirectory(capnet.dir.resolve("bound"));
    Files.writeString(bound.resolve("visible.txt"), "seen\n");
    String sock = daemon.path();
    Result r = sandboxed(Map.of(), List.of("--ro", capnet.dir.toString(), "--ro", bound.toString()),
        "for p in / /tmp /dev " + bound + "; do touch \"$p/w\" 2>/dev/null && echo \"wrote $p\"; done;"
            + " [ -S " + sock + " ] && echo 'daemon socket: there' || echo 'daemon socket: absent';"
            + " [ -e /run ] && echo '/run: there' || echo '/run: absent';"
            + " cat " + bound.resolve("visible.txt"));
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(r.out().lines().toList()).containsExactly("daemon socket: absent", "/run: absent", "seen");
    assertThat(Path.of(sock)).as("outside, the socket is where it was").exists();
    assertThat(bound.resolve("w")).doesNotExist();
  }

  @Test
  void theChildsExitCodeOrSignalIsCapnetRunsExitCode() {
    assumeBwrap();
    assertThat(sandboxed(Map.of(), List.of(), "exit 7").exit()).isEqualTo(7);
    assertThat(sandboxed(Map.of(), List.of(), "kill -TERM $$").exit()).isEqualTo(128 + 15);
  }

  @Test
  void roWithoutSandboxAndAMissingRoPathAreUsageErrors() {
    List<String> cmd = new ArrayList<>(command("run", "--switchboard", daemon.path(), "--rights", "CLIENT_CONNECT",
        "--ro", "/usr", "--", "/bin/true"));
    Result r = capnet.start(Map.of(), cmd).closeStdin().finish();
    assertThat(r.exit()).as("%s", r).isEqualTo(2);
    assertThat(r.errLine("capnet run: ")).isEqualTo("capnet run: --ro is for --sandbox");
    assumeBwrap();
    Result missing = sandboxed(Map.of(), List.of("--ro", "/no/such/path"), "true");
    assertThat(missing.exit()).as("%s", missing).isEqualTo(2);
    assertThat(missing.errLine("capnet run: ")).isEqualTo("capnet run: --ro /no/such/path: no such file or directory");
  }
}
