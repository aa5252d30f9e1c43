package io.capnet.captp;

import io.capnet.netlayer.Netlayer;
import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.UnixNetlayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The session contract over the unix netlayer: every session is introduced by a real
 * Switchboard daemon and runs over a passed socket pair, CBOR-framed with fd passing.
 */
class SessionOverUnixNetlayerTest extends SessionContractTest {
  private static Path dir;
  private static SwitchboardDaemon daemon;

  @BeforeAll
  static void startDaemon() throws IOException {
    dir = Files.createTempDirectory("capnet-unix-contract-");
    daemon = SwitchboardDaemon.builder().socketPath(dir.resolve("sb.sock")).start();
  }

  @AfterAll
  static void stopDaemon() throws IOException {
    daemon.close();
    Files.deleteIfExists(dir);
  }

  @Override
  protected Netlayer netlayer(String name) throws IOException {
    try {
      return UnixNetlayer.open(daemon.socketPath());
    } catch (SwitchboardException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
