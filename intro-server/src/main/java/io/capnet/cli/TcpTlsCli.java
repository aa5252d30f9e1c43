package io.capnet.cli;

import io.capnet.netlayer.Netlayer;
import io.capnet.tcptls.TcpTls;
import io.capnet.tcptls.TlsIdentity;
import java.io.IOException;
import java.nio.file.Path;

/** What the tcp-tls commands share: an identity from a file or a fresh one, and a netlayer. */
final class TcpTlsCli {
  private TcpTlsCli() {}

  static TlsIdentity identity(Path file) throws IOException {
    return file == null ? TlsIdentity.generate() : TlsIdentity.load(file);
  }

  static Netlayer netlayer(Path identityFile, String host, int port) throws IOException {
    return TcpTls.netlayer(identity(identityFile), host, port);
  }
}
