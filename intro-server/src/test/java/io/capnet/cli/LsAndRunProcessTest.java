package io.capnet.cli;

import static io.capnet.cli.CapnetProcesses.command;
import static io.capnet.cli.CapnetProcesses.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.cli.CapnetProcesses.Result;
import io.capnet.unix.Labels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code capnet ls} and {@code capnet run} as real processes against a daemon process. */
@Timeout(60)
class LsAndRunProcessTest {
  // One daemon for the class; tests use labels of their own, except the one that lists everything.
  static CapnetProcesses daemons;
  static Daemon daemon;
  CapnetProcesses capnet;

  @BeforeAll
  static void startDaemon() {
    daemons = new CapnetProcesses();
    daemon = daemons.daemon();
  }

  @AfterAll
  static void stopDaemon() throws Exception {
    if (daemons != null) daemons.close();
  }

  @BeforeEach
  void setUp() {
    capnet = new CapnetProcesses();
  }

  @AfterEach
  void tearDown() throws Exception {
    capnet.close();
  }

  private CapnetProcess server(String labels) {
    return server(daemon, labels);
  }

  private CapnetProcess server(Daemon d, String labels) {
    CapnetProcess server = capnet.start("cat", "-l", "--switchboard", d.path(), labels);
    server.stderr.awaitContains("serving: ");
    return server;
  }

  private Result ls(String... filter) {
    return ls(daemon, filter);
  }

  private Result ls(Daemon d, String... filter) {
    List<String> args = new ArrayList<>(List.of("ls", "--switchboard", d.path()));
    args.addAll(List.of(filter));
    return capnet.run(args.toArray(String[]::new));
  }

  /** {@code capnet run ARGS -- capnet CHILD...}. */
  private CapnetProcess run(List<String> runArgs, String... child) {
    List<String> cmd = new ArrayList<>(command("run", "--switchboard", daemon.path()));
    cmd.addAll(runArgs);
    cmd.add("--");
    cmd.addAll(command(child));
    return capnet.start(Map.of(), cmd);
  }

  @Test
  void lsPrintsOneJsonObjectPerRegisteredServer() {
    Daemon own = capnet.daemon(); // a daemon of its own: nothing else registered
    assertThat(ls(own).out()).as("no servers yet").isEmpty();
    CapnetProcess a = server(own, "{\"svc\":\"a\",\"zone\":\"1\"}");
    CapnetProcess b = server(own, "{\"svc\":\"b\"}");
    Result[] last = new Result[1];
    assertThat(eventually(Duration.ofSeconds(10), () -> (last[0] = ls(own)).out().lines().count() == 2))
        .as("ls shows both servers: %s", last[0]).isTrue();
    assertThat(last[0].exit()).isZero();
    List<Labels> listed = last[0].out().lines().map(Labels::parseJson).toList(); // each line one JSON object
    assertThat(listed).extracting(l -> l.get("svc").orElseThrow()).containsExactlyInAnyOrder("a", "b");
    for (Labels l : listed) {
      long pid = l.get("svc").orElseThrow().equals("a") ? a.pid() : b.pid();
      assertThat(l.get("server_pid")).as("%s", l).contains(Long.toString(pid));
      assertThat(l.asMap()).containsKeys("server_uid", "server_gid");
    }
    assertThat(listed.stream().filter(l -> l.get("svc").orElseThrow().equals("a")).findFirst().orElseThrow()
        .get("zone")).contains("1");
  }

  @Test
  void aFilterArgumentNarrowsTheList() {
    server("{\"svc\":\"ls-a\",\"zone\":\"1\"}");
    server("{\"svc\":\"ls-b\"}");
    Result b = ls("{\"svc\":\"ls-b\"}");
    assertThat(b.exit()).as("%s", b).isZero();
    assertThat(b.out().lines().toList()).singleElement().satisfies(l -> assertThat(l).contains("\"svc\":\"ls-b\""));
    assertThat(ls("{\"svc\":\"ls-a\",\"zone\":\"1\"}").out().lines().count()).isEqualTo(1);
    Result none = ls("{\"svc\":\"ls-a\",\"zone\":\"2\"}");
    assertThat(none.exit()).as("%s", none).isZero();
    assertThat(none.out()).isEmpty();
  }

  @Test
  void lsRefusesAFilterWithANonStringValue() {
    Result r = ls("{\"svc\":1}");
    assertThat(r.exit()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("'svc'");
  }

  @Test
  void runPutsASturdyrefInTheChildsEnvironmentAndDropsTheFdVariable() {
    List<String> cmd = new ArrayList<>(command("run", "--switchboard", daemon.path(), "--rights", "CLIENT_CONNECT", "--"));
    cmd.addAll(List.of("sh", "-c", "printf '%s|%s' \"${CAPNET_SWITCHBOARD_FD-unset}\" \"$CAPNET_SWITCHBOARD\""));
    Result r = capnet.start(Map.of("CAPNET_SWITCHBOARD_FD", "99"), cmd).closeStdin().finish();
    assertThat(r.exit()).as("%s", r).isZero();
    String designator = daemon.locator().substring("ocapn://".length(), daemon.locator().indexOf('.'));
    assertThat(r.out()).startsWith("unset|ocapn://" + designator + ".unix").contains("path=");
  }

  @Test
  void aChildWithoutTheListRightCannotList() {
    Result r = run(List.of("--rights", "CLIENT_CONNECT", "--out", "{\"svc\":\"echo\"}"), "ls").closeStdin().finish();
    assertThat(r.exit()).as("the child's exit code: %s", r).isEqualTo(1);
    assertThat(r.errLine("capnet ls: ")).as("%s", r).startsWith("capnet ls: PERMISSION_DENIED: ").contains("LIST");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aChildReachesTheEchoServerThroughItsOutLabels() {
    CapnetProcess echo = server("{\"svc\":\"run-echo\"}");
    server("{\"svc\":\"run-other\"}");
    Result rootCat = capnet.run("cat", "--switchboard", daemon.path(), "{}");
    assertThat(rootCat.errLine("capnet cat: ")).as("the unconstrained handle sees both: %s", rootCat)
        .startsWith("capnet cat: AMBIGUOUS: ");

    CapnetProcess child = run(List.of("--rights", "CLIENT_CONNECT", "--out", "{\"svc\":\"run-echo\"}"), "cat", "{}");
    child.write("through run\n");
    echo.stdout.awaitContains("through run\n");
    echo.write("back to the child\n").closeStdin();
    child.stdout.awaitContains("back to the child\n");
    child.closeStdin();
    Result r = child.finish();
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(r.errLine("connected: ")).contains("\"svc\":\"run-echo\"");
    assertThat(echo.finish().exit()).isZero();
  }

  @Test
  void aChildCannotChangeALabelItsHandleFixes() {
    Result r = run(List.of("--rights", "CLIENT_CONNECT", "--out", "{\"svc\":\"echo\"}"), "cat", "{\"svc\":\"other\"}")
        .closeStdin().finish();
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLine("capnet cat: ")).as("%s", r).startsWith("capnet cat: PERMISSION_DENIED: ")
        .contains("'svc'");
  }

  @Test
  void aNestedRunAskingForARightTheParentHandleLacksIsRefusedNamingIt() {
    List<String> cmd = new ArrayList<>(command("run", "--switchboard", daemon.path(), "--rights", "CLIENT_CONNECT", "--"));
    cmd.addAll(command("run", "--rights", "LIST", "--", "true"));
    Result r = capnet.start(Map.of(), cmd).closeStdin().finish();
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLine("capnet run: ")).as("%s", r).startsWith("capnet run: PERMISSION_DENIED: ")
        .contains("[LIST]");
  }

  @Test
  void runRefusesAnUnknownRightAsAUsageError() {
    Result r = capnet.run("run", "--switchboard", daemon.path(), "--rights", "FLY", "--", "true");
    assertThat(r.exit()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("FLY");
  }
}
