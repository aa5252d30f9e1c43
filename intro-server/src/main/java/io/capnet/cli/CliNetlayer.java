package io.capnet.cli;

import io.capnet.locator.Ed25519KeyFile;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.Netlayers;
import io.capnet.netlayer.SyrupFraming;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.UnixNetlayer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The netlayer a command dials or serves on, by transport, with what it holds open (a unix
 * netlayer's Switchboard handle). tcp-testing-only only when the user asked for it by name.
 */
record CliNetlayer(Netlayer netlayer, Switchboard switchboard) implements AutoCloseable {
  static final String INSECURE_WARNING = "WARNING: INSECURE tcp-testing-only netlayer: plain TCP with no"
      + " authentication or encryption, for interoperability tests only, never a default";

  /** A choice the user has to change: exit 2. */
  static final class Usage extends Exception {
    Usage(String message) {
      super(message);
    }
  }

  static CliNetlayer forTransport(String transport, Path identity, SwitchboardOption switchboard, boolean insecure,
      SyrupFraming framing, PrintWriter err, String command) throws Usage, IOException, SwitchboardException {
    switch (transport) {
      case "tcp-tls" -> {
        // Dialling needs no listener, but a Peer has one; loopback on a free port keeps it private.
        return new CliNetlayer(TcpTlsCli.netlayer(identity, "127.0.0.1", 0), null);
      }
      case "unix" -> {
        java.security.KeyPair key = identity == null ? Ed25519KeyFile.generate() : Ed25519KeyFile.load(identity);
        Switchboard sb = switchboard.open();
        try {
          return new CliNetlayer(UnixNetlayer.create(key, java.util.List.of(sb)), sb);
        } catch (SwitchboardException | RuntimeException e) {
          sb.close();
          throw e;
        }
      }
      case "tcp-testing-only" -> {
        if (!insecure) {
          throw new Usage("a tcp-testing-only URI is plain TCP with no authentication or encryption; give"
              + " --insecure-testing-netlayer to use it anyway, for interoperability tests only");
        }
        err.println("capnet " + command + ": " + INSECURE_WARNING);
        err.flush();
        return new CliNetlayer(Netlayers.tcpTestingOnly(Netlayers.randomDesignator(), "127.0.0.1", 0, framing), null);
      }
      default -> throw new Usage("no netlayer for transport " + transport + "; capnet has tcp-tls, unix and"
          + " tcp-testing-only");
    }
  }

  @Override
  public void close() {
    if (switchboard != null) switchboard.close();
  }
}
