package io.capnet.federation;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.locator.PeerLocator;
import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.tcptls.TcpTls;
import io.capnet.tcptls.TlsIdentity;
import io.capnet.unix.UnixNetlayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer on tcp-tls hands a reference to a peer on the unix netlayer through a peer that is on
 * both: the gift travels over a unix session, and the receiver then reaches the exporter over
 * tcp-tls by itself, as the handoff names it.
 */
class MixedNetlayerHandoffTest {
  @Test
  @Timeout(60)
  void tcpTlsReferenceReachesAUnixPeerThroughAPeerOnBoth() throws Exception {
    Path dir = Files.createTempDirectory("capnet-mixed-");
    try (SwitchboardDaemon daemon = SwitchboardDaemon.builder().socketPath(dir.resolve("sb.sock")).start();
         Peer exporter = Peer.builder().name("exporter")
             .netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)).build();
         Peer gifter = Peer.builder().name("gifter").netlayer(UnixNetlayer.open(daemon.socketPath()))
             .netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)).build();
         Peer receiver = Peer.builder().name("receiver").netlayer(UnixNetlayer.open(daemon.socketPath()))
             .netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)).build()) {
      long[] n = {0};
      Ref counter = exporter.spawn(Methods.builder().on("next", a -> ++n[0]).build());
      AtomicReference<Ref> kept = new AtomicReference<>();
      Ref keeper = receiver.spawn(Methods.builder()
          .on("keep", a -> {
            kept.set((Ref) a.get(0));
            return kept.get().send("next");
          }).build());

      Ref counterAtGifter = (Ref) gifter.enliven(exporter.export(counter)).future().get(20, TimeUnit.SECONDS);
      Ref keeperAtGifter = (Ref) gifter.enliven(receiver.export(keeper)).future().get(20, TimeUnit.SECONDS);
      assertThat(receiver.export(keeper).peer().transport()).as("the receiver is named on the unix netlayer").isEqualTo("unix");
      assertThat(keeperAtGifter.send("keep", counterAtGifter).future().get(20, TimeUnit.SECONDS)).isEqualTo(1L);

      assertThat(receiver.sessions()).extracting(PeerLocator::transport).contains("unix", "tcp-tls");
      assertThat(receiver.sessions()).filteredOn(l -> l.transport().equals("tcp-tls"))
          .extracting(PeerLocator::designator).containsExactly(exporter.locator().designator());
      assertThat(receiver.sessions()).filteredOn(l -> l.transport().equals("unix"))
          .extracting(PeerLocator::designator).containsExactly(gifter.locator().designator());
      assertThat(kept.get().send("next").future().get(20, TimeUnit.SECONDS)).isEqualTo(2L);
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
