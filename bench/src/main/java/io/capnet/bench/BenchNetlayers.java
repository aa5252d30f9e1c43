package io.capnet.bench;

import io.capnet.netlayer.InMemoryNetwork;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.Netlayers;
import io.capnet.tcptls.TcpTls;
import io.capnet.tcptls.TlsIdentity;
import java.io.IOException;

/** The netlayers the CapTP benchmarks take as their {@code transport} parameter. */
final class BenchNetlayers {
  private BenchNetlayers() {}

  /**
   * A netlayer for the peer called {@code name}: tcp-testing-only, or tcp-tls with a fresh
   * identity, on a fresh loopback port; or a netlayer on {@code memory}, which the peers of one
   * benchmark share.
   */
  static Netlayer of(String transport, InMemoryNetwork memory, String name) throws IOException {
    return switch (transport) {
      case "tcp-testing-only" -> Netlayers.tcpTestingOnly("127.0.0.1", 0);
      case "memory" -> memory.netlayer(name);
      case "tcp-tls" -> TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0);
      default -> throw new IllegalArgumentException("unknown transport " + transport);
    };
  }
}
