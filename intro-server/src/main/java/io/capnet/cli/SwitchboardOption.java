package io.capnet.cli;

import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How every client command finds its Switchboard: --switchboard, then the environment. */
final class SwitchboardOption {
  @Option(names = "--switchboard", paramLabel = "PATH",
      description = "the Switchboard daemon's socket; without it, CAPNET_SWITCHBOARD_FD (an inherited"
          + " handle socket) and then CAPNET_SWITCHBOARD (a handle's sturdyref) are used")
  Path path;

  Switchboard open() throws IOException, SwitchboardException {
    if (path != null) return Switchboard.open(path);
    return Switchboard.fromEnvironment();
  }
}
