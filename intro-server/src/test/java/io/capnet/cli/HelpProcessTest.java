package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.CapnetProcess;
import io.capnet.cli.CapnetProcesses.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code capnet CMD --help} for every command, as a real process. */
@Timeout(60)
class HelpProcessTest {
  CapnetProcesses capnet;

  @BeforeEach
  void setUp() {
    capnet = new CapnetProcesses();
  }

  @AfterEach
  void tearDown() throws Exception {
    capnet.close();
  }

  /** Every subcommand the root declares, except picocli's own {@code help}. */
  static List<String> commands() {
    List<String> names = new ArrayList<>(new CommandLine(new Capnet()).getSubcommands().keySet());
    names.remove("help");
    return names;
  }

  @Test
  void everyCommandsHelpExitsZeroAndListsItsExitCodes() {
    List<String> names = commands();
    assertThat(names).contains("switchboard", "cat", "ls", "run", "demo");
    List<String[]> invocations = new ArrayList<>();
    invocations.add(new String[] {"--help"});
    for (String n : names) invocations.add(new String[] {n, "--help"});
    List<CapnetProcess> started = invocations.stream().map(a -> capnet.start(a).closeStdin()).toList();
    for (CapnetProcess p : started) {
      Result r = p.finish();
      assertThat(r.exit()).as("%s", r).isZero();
      assertThat(r.out()).as("%s", r).startsWith("Usage: capnet").contains("\nExit codes:\n");
      assertThat(r.err()).as("%s", r).isEmpty();
    }
  }

  @Test
  void clientCommandsDocumentExitCode3ForAnUnreachableSwitchboard() {
    for (String n : List.of("cat", "ls", "run")) {
      Result r = capnet.run(n, "--help");
      assertThat(r.out()).as("%s", r).containsPattern("\\n  3 +\\S");
    }
  }
}
