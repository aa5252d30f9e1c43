package io.capnet.cli;

import static io.capnet.cli.CapnetProcesses.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code capnet switchboard --state-dir}: the daemon's key and its minted sturdyrefs survive
 * SIGTERM and kill -9, a dropped one stays dropped, and a state dir that others can write or a
 * corrupt file stops the daemon with the path named. Real daemon processes throughout.
 */
@Timeout(120)
class StateDirProcessTest {
  CapnetProcesses capnet;
  Path state;

  @BeforeEach
  void setUp() {
    capnet = new CapnetProcesses();
    state = capnet.dir.resolve("state");
  }

  @AfterEach
  void tearDown() throws Exception {
    capnet.close();
  }

  private Daemon daemon() {
    return capnet.daemon("--state-dir", state.toString());
  }

  /** SIGTERM, and the exit that follows it (128 + 15). */
  private void stop(Daemon d) {
    CapnetProcesses.kill("TERM", d.pid());
    assertThat(d.process().finish().exit()).as("the daemon's exit after SIGTERM").isEqualTo(143);
  }

  /** {@code capnet ARGS} holding only the handle {@code uri} names, in CAPNET_SWITCHBOARD. */
  private Result withSturdyref(String uri, String... args) {
    return capnet.start(Map.of("CAPNET_SWITCHBOARD", uri), command(args)).closeStdin().finish();
  }

  private String mint(Daemon d, String... args) {
    List<String> a = new ArrayList<>(List.of("handle", "new", "--switchboard", d.path()));
    a.addAll(List.of(args));
    Result r = capnet.run(a.toArray(String[]::new));
    assertThat(r.exit()).as("%s", r).isEqualTo(0);
    assertThat(r.out()).startsWith("ocapn://");
    return r.out().strip();
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aMintedSturdyrefSurvivesSigtermWithExactlyItsRights() throws Exception {
    Daemon first = daemon();
    String uri = mint(first, "--rights", "CLIENT_CONNECT,LIST", "--out", "{\"svc\":\"db\"}");
    Result shown = withSturdyref(uri, "handle", "show");
    assertThat(shown.out()).as("%s", shown).isEqualTo("{\"rights\":[\"CLIENT_CONNECT\",\"LIST\"],\"in\":{},\"out\":{\"svc\":\"db\"}}\n");

    assertThat(mode(state)).isEqualTo("rwx------");
    assertThat(mode(state.resolve("handles"))).isEqualTo("rwx------");
    assertThat(mode(state.resolve("key.pem"))).isEqualTo("rw-------");
    assertThat(mode(state.resolve("salt"))).isEqualTo("rw-------");
    List<Path> files;
    try (Stream<Path> s = Files.list(state.resolve("handles"))) {
      files = s.toList();
    }
    assertThat(files).hasSize(1);
    assertThat(mode(files.get(0))).isEqualTo("rw-------");
    // Only the salted hash: the swiss number in the URI appears nowhere in the state dir.
    String swiss = uri.substring(uri.indexOf("/s/") + 3);
    assertThat(Files.readString(files.get(0))).doesNotContain(swiss).contains("\"hash\":\"");

    stop(first);
    Daemon second = daemon();
    assertThat(second.locator()).as("the same key, so the same designator").isEqualTo(first.locator());
    Result after = withSturdyref(uri, "handle", "show");
    assertThat(after.exit()).as("%s", after).isEqualTo(0);
    assertThat(after.out()).isEqualTo("{\"rights\":[\"CLIENT_CONNECT\",\"LIST\"],\"in\":{},\"out\":{\"svc\":\"db\"}}\n");
    Result ls = withSturdyref(uri, "ls");
    assertThat(ls.exit()).as("%s", ls).isEqualTo(0);
    Result serve = withSturdyref(uri, "handle", "new", "--rights", "SERVER_START");
    assertThat(serve.exit()).as("%s", serve).isEqualTo(1);
    assertThat(serve.errLine("capnet handle new")).startsWith("capnet handle new: PERMISSION_DENIED: mint asks for rights"
        + " this handle lacks: [SERVER_START]");

    Result listed = capnet.run("handle", "ls", "--switchboard", second.path());
    assertThat(listed.exit()).as("%s", listed).isEqualTo(0);
    assertThat(listed.out().lines().toList()).hasSize(1);
    assertThat(listed.out()).endsWith("\"rights\":[\"CLIENT_CONNECT\",\"LIST\"],\"in\":{},\"out\":{\"svc\":\"db\"}}\n");
  }

  @Test
  void aDroppedSturdyrefStaysDroppedAfterARestart() throws Exception {
    Daemon first = daemon();
    String dropped = mint(first, "--rights", "LIST");
    String kept = mint(first, "--rights", "LIST", "--out", "{\"zone\":\"b\"}");
    String byId = mint(first, "--rights", "CLIENT_CONNECT");
    Result drop = capnet.run("handle", "drop", "--switchboard", first.path(), dropped);
    assertThat(drop.exit()).as("%s", drop).isEqualTo(0);
    List<String> lines = capnet.run("handle", "ls", "--switchboard", first.path()).out().lines().toList();
    assertThat(lines).hasSize(2);
    String last = lines.get(1);
    assertThat(last).endsWith("\"rights\":[\"CLIENT_CONNECT\"],\"in\":{},\"out\":{}}");
    String id = last.substring("{\"id\":\"".length(), "{\"id\":\"".length() + 16);
    Result dropById = capnet.run("handle", "drop", "--switchboard", first.path(), id);
    assertThat(dropById.exit()).as("%s", dropById).isEqualTo(0);
    Result again = capnet.run("handle", "drop", "--switchboard", first.path(), id);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.errLine("capnet handle drop")).isEqualTo("capnet handle drop: NOT_FOUND: this handle made no such sturdyref");

    stop(first);
    Daemon second = daemon();
    for (String gone : List.of(dropped, byId)) {
      Result r = withSturdyref(gone, "handle", "show");
      assertThat(r.exit()).as("%s", r).isEqualTo(1);
      assertThat(r.errLine("capnet handle show")).startsWith("capnet handle show: ").contains("no object is exported under that swiss number");
      assertThat(r.out()).isEmpty();
    }
    Result ok = withSturdyref(kept, "handle", "show");
    assertThat(ok.out()).as("%s", ok).isEqualTo("{\"rights\":[\"LIST\"],\"in\":{},\"out\":{\"zone\":\"b\"}}\n");
    assertThat(capnet.run("handle", "ls", "--switchboard", second.path()).out().lines().toList()).hasSize(1);
  }

  @Test
  void killNineDuringABurstOfMintsLosesNoneThatWereAnswered() throws Exception {
    Daemon first = daemon();
    List<String> answered = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean failed = new AtomicBoolean();
    Thread minter = Thread.ofPlatform().start(() -> {
      try (Switchboard root = Switchboard.open(first.socket())) {
        for (int i = 0; i < 900; i++) {
          answered.add(root.mint(EnumSet.of(Right.LIST), Labels.empty(), Labels.of("n", Integer.toString(i))));
        }
      } catch (Exception e) {
        failed.set(true); // the kill
      }
    });
    assertThat(CapnetProcesses.eventually(Duration.ofSeconds(60), () -> answered.size() >= 40)).isTrue();
    CapnetProcesses.kill("KILL", first.pid());
    minter.join(30_000);
    assertThat(failed.get()).as("the burst was cut by the kill").isTrue();
    List<String> before = List.copyOf(answered);
    assertThat(before.size()).isBetween(40, 899);

    Daemon second = daemon(); // the files parse, or it would not start
    for (int i = 0; i < before.size(); i++) {
      try (Switchboard sb = Switchboard.openSturdyref(before.get(i))) {
        assertThat(sb.rights()).isEqualTo(EnumSet.of(Right.LIST));
        assertThat(sb.outLabels()).isEqualTo(Labels.of("n", Integer.toString(i)));
      }
    }
    Result shown = withSturdyref(before.get(before.size() - 1), "handle", "show");
    assertThat(shown.out()).as("%s", shown)
        .isEqualTo("{\"rights\":[\"LIST\"],\"in\":{},\"out\":{\"n\":\"" + (before.size() - 1) + "\"}}\n");
    // At most one more: a mint on disk whose answer the kill cut off.
    int listed = capnet.run("handle", "ls", "--switchboard", second.path()).out().lines().toList().size();
    assertThat(listed).isBetween(before.size(), before.size() + 1);
    try (Stream<Path> s = Files.list(state.resolve("handles"))) {
      assertThat(s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()).isEmpty();
    }
  }

  @Test
  void killNineWhileHandleNewProcessesMintLosesNoneThatPrinted() throws Exception {
    Daemon first = daemon();
    List<String> printed = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean refused = new AtomicBoolean();
    Thread minter = Thread.ofPlatform().start(() -> {
      for (int i = 0; i < 60 && !refused.get(); i++) {
        Result r = capnet.run("handle", "new", "--switchboard", first.path(), "--rights", "CLIENT_CONNECT",
            "--out", "{\"k\":\"" + i + "\"}");
        if (r.exit() == 0) printed.add(r.out().strip());
        else refused.set(true);
      }
    });
    assertThat(CapnetProcesses.eventually(Duration.ofSeconds(60), () -> printed.size() >= 3)).isTrue();
    CapnetProcesses.kill("KILL", first.pid());
    minter.join(60_000);
    assertThat(refused.get()).as("a handle new after the kill fails").isTrue();
    List<String> before = List.copyOf(printed);

    daemon();
    for (int i = 0; i < before.size(); i++) {
      try (Switchboard sb = Switchboard.openSturdyref(before.get(i))) {
        assertThat(sb.rights()).isEqualTo(EnumSet.of(Right.CLIENT_CONNECT));
        assertThat(sb.outLabels()).isEqualTo(Labels.of("k", Integer.toString(i)));
      }
    }
  }

  @Test
  void aCorruptStateFileStopsTheDaemonNamingIt() throws Exception {
    Daemon first = daemon();
    mint(first, "--rights", "LIST");
    stop(first);
    Path entry;
    try (Stream<Path> s = Files.list(state.resolve("handles"))) {
      entry = s.findFirst().orElseThrow();
    }
    String original = Files.readString(entry);
    Files.writeString(entry, "{\"version\":1,\"id\":");
    Result r = capnet.start("switchboard", capnet.dir.resolve("sb.sock").toString(), "--state-dir", state.toString())
        .closeStdin().finish();
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLine("capnet switchboard")).startsWith("capnet switchboard: state file " + entry + " is corrupt: not JSON");
    assertThat(r.out()).as("no locator: it never served").isEmpty();
    assertThat(capnet.dir.resolve("sb.sock")).doesNotExist();

    // Without its salt (or key) every stored sturdyref is dead: refused, never made afresh.
    Files.writeString(entry, original);
    Files.move(state.resolve("salt"), capnet.dir.resolve("salt.bak"));
    Result noSalt = capnet.start("switchboard", capnet.dir.resolve("sb.sock").toString(), "--state-dir", state.toString())
        .closeStdin().finish();
    assertThat(noSalt.exit()).isEqualTo(1);
    assertThat(noSalt.errLine("capnet switchboard")).isEqualTo("capnet switchboard: state dir " + state
        + " holds handle files (1) but no salt; without it they are all dead. Restore " + state.resolve("salt")
        + " from a backup, or remove " + state.resolve("handles") + " to start afresh");
    Files.move(capnet.dir.resolve("salt.bak"), state.resolve("salt"));

    Files.delete(entry);
    Files.writeString(state.resolve("salt"), "not hex\n");
    Result salt = capnet.start("switchboard", capnet.dir.resolve("sb.sock").toString(), "--state-dir", state.toString())
        .closeStdin().finish();
    assertThat(salt.exit()).isEqualTo(1);
    assertThat(salt.errLine("capnet switchboard")).isEqualTo("capnet switchboard: state file " + state.resolve("salt")
        + " is corrupt: it holds 7 characters, not 64 hex digits");

    Files.delete(state.resolve("salt")); // a missing salt is made afresh: no sturdyref is left to need the old one
    Files.writeString(state.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    Result key = capnet.start("switchboard", capnet.dir.resolve("sb.sock").toString(), "--state-dir", state.toString())
        .closeStdin().finish();
    assertThat(key.exit()).isEqualTo(1);
    assertThat(key.errLine("capnet switchboard")).startsWith("capnet switchboard: state file " + state.resolve("key.pem")
        + " is corrupt: not an Ed25519 private key");
  }

  @Test
  void aStateDirOthersCanWriteIsRefusedNamingTheMode() throws Exception {
    Files.createDirectory(state);
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
    Result r = capnet.start("switchboard", capnet.dir.resolve("sb.sock").toString(), "--state-dir", state.toString())
        .closeStdin().finish();
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLine("capnet switchboard")).isEqualTo("capnet switchboard: state dir " + state
        + " has mode 0777, which lets other users write it; it must be 0700 (chmod 700 " + state + ")");
    assertThat(state.resolve("key.pem")).as("nothing written into it").doesNotExist();

    // A key file others can read is refused too: it is the daemon's identity.
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    stop(daemon());
    Files.setPosixFilePermissions(state.resolve("key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
    Result key = capnet.start("switchboard", capnet.dir.resolve("sb.sock").toString(), "--state-dir", state.toString())
        .closeStdin().finish();
    assertThat(key.exit()).isEqualTo(1);
    assertThat(key.errLine("capnet switchboard")).isEqualTo("capnet switchboard: state file " + state.resolve("key.pem")
        + " has mode 0644, which lets other users read or write it; it must be 0600 (chmod 600 "
        + state.resolve("key.pem") + ")");
  }

  @Test
  void aStateDirOfAnotherUidIsRefused() throws Exception {
    assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "only root can give a directory to another uid");
    Files.createDirectory(state, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.setAttribute(state, "unix:uid", 65534);
    Result r = capnet.start("switchboard", capnet.dir.resolve("sb.sock").toString(), "--state-dir", state.toString())
        .closeStdin().finish();
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLine("capnet switchboard")).isEqualTo("capnet switchboard: state dir " + state
        + " is owned by uid 65534, not by the daemon's uid 0");
  }
}
