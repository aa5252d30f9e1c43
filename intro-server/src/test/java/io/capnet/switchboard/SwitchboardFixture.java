package io.capnet.switchboard;

import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardProtocol;
import io.capnet.unix.UnixConnections;
import io.capnet.unix.UnixLimits;
import io.capnet.unix.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Daemons and clients for in-process Switchboard tests, all closed by {@link #close()}. */
final class SwitchboardFixture implements AutoCloseable {
  final Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  SwitchboardFixture() throws IOException {
    dir = Files.createTempDirectory("capnet-sb-test-");
  }

  SwitchboardDaemon daemon(String name, Consumer<SwitchboardDaemon.Builder> options) throws IOException {
    SwitchboardDaemon.Builder b = SwitchboardDaemon.builder().socketPath(dir.resolve(name + ".sock"));
    options.accept(b);
    SwitchboardDaemon d = b.start();
    open.add(d);
    return d;
  }

  SwitchboardDaemon daemon() throws IOException {
    return daemon("sb", b -> {});
  }

  <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  Switchboard client(SwitchboardDaemon d) throws Exception {
    return track(Switchboard.open(d.socketPath()));
  }

  /**
   * A bare CapTP client of the daemon, for arguments the typed client cannot express: returns
   * the connection's handle as a Ref.
   */
  Ref rawHandle(SwitchboardDaemon d, Peer[] peerOut) throws Exception {
    Peer p = track(Peer.builder().name("raw-client").netlayer(new Nowhere()).build());
    peerOut[0] = p;
    Connection c = UnixConnections.over(UnixSockets.connect(d.socketPath()), UnixLimits.DEFAULT, Codec.cbor(), "raw test client");
    return (Ref) p.fetchOver(c, SwitchboardProtocol.CONNECTION_HANDLE).future().get(10, TimeUnit.SECONDS);
  }

  static Object await(io.capnet.captp.Promise p) throws Exception {
    return p.future().get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A netlayer for a peer that only dials through fetchOver. */
  static final class Nowhere implements Netlayer {
    private final PeerLocator me = PeerLocator.of("rawtestclient" + System.nanoTime(), "unix");

    @Override public String transport() { return "unix"; }
    @Override public PeerLocator locator() { return me; }
    @Override public Connection connect(PeerLocator remote) throws IOException { throw new IOException("no"); }
    @Override public void accept(Consumer<Connection> incoming) {}
    @Override public boolean supports(NetlayerCapability c) { return true; }
    @Override public void close() {}
  }
}
