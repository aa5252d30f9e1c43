package io.capnet.cli;

import static io.capnet.switchboard.DraftTextPeer.location;
import static io.capnet.switchboard.DraftTextPeer.sym;
import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.cli.CapnetProcesses.Daemon;
import io.capnet.switchboard.DraftTextPeer;
import io.capnet.unix.Labels;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * A real {@code capnet switchboard} process and peers written from the draft's text: they
 * register, {@code capnet ls} lists them, one hands the other a real socket, a forged signature
 * is refused, and the daemon's descriptors come back to where they were.
 */
@Timeout(120)
class UdsProcessTest {
  private final CapnetProcesses capnet = new CapnetProcesses();

  @AfterEach
  void stop() throws Exception {
    capnet.close();
  }

  @Test
  void draftPeersRegisterWithADaemonProcessAreListedAndIntroduced() throws Exception {
    Daemon d = capnet.daemon("--uds-signatures", "draft");
    assertThat(CapnetProcesses.eventually(Duration.ofSeconds(10),
        () -> capnet.run("ls", "--switchboard", d.path()).out().isEmpty())).isTrue();
    int fds = CapnetProcesses.settledFdCount(d.pid());
    Path sock = Path.of(d.path());
    try (DraftTextPeer a = new DraftTextPeer(sock); DraftTextPeer b = new DraftTextPeer(sock)) {
      a.handshake();
      b.handshake();
      CapnetProcesses.Result[] last = new CapnetProcesses.Result[1];
      assertThat(CapnetProcesses.eventually(Duration.ofSeconds(10),
          () -> (last[0] = capnet.run("ls", "--switchboard", d.path())).out().lines().count() == 2)).isTrue();
      List<Labels> listed = last[0].out().lines().map(Labels::parseJson).toList();
      assertThat(listed).extracting(l -> l.get("ocapn_designator").orElseThrow())
          .containsExactlyInAnyOrder(a.designator, b.designator);
      for (Labels l : listed) {
        assertThat(l.get("server_pid")).contains(Long.toString(ProcessHandle.current().pid()));
        assertThat(l.asMap()).containsKeys("server_uid", "server_gid").hasSize(4);
      }

      UnixSockets.Pair pair = UnixSockets.pair();
      UnixSocket kept = UnixSockets.channel(pair.first());
      Record intro = new Record(sym("uds:new-connection"), List.of(a.location(), location(b.designator, null)));
      a.send(intro);
      a.sendFds(new byte[] {0}, pair.second().fileDescriptor());
      pair.second().close();
      assertThat(b.read()).isEqualTo(intro);
      b.skip(1);
      AFUNIXSocketChannel handed = FileDescriptorCast.using(b.received.get(0)).as(AFUNIXSocketChannel.class);
      kept.channel().write(ByteBuffer.wrap("ping".getBytes()));
      ByteBuffer got = ByteBuffer.allocate(4);
      while (got.hasRemaining()) handed.read(got);
      assertThat(new String(got.array())).isEqualTo("ping");
      handed.close();
      kept.close();

      try (DraftTextPeer forger = new DraftTextPeer(sock)) {
        forger.register();
        Bytes challenge = (Bytes) ((Record) forger.read()).field(1);
        forger.send(new Record(sym("uds:signature"), List.of(challenge,
            DraftTextPeer.sigVal(DraftTextPeer.sign(DraftTextPeer.newKey(), challenge.toByteArray())))));
        assertThat(forger.read()).isEqualTo(new Record(sym("uds:abort"),
            List.of("uds:signature does not verify with the key of the designator " + forger.designator)));
        assertThat(forger.read()).isNull();
      }
    }
    assertThat(CapnetProcesses.eventually(Duration.ofSeconds(10),
        () -> capnet.run("ls", "--switchboard", d.path()).out().isEmpty())).as("both departed").isTrue();
    assertThat(CapnetProcesses.eventually(Duration.ofSeconds(20), () -> CapnetProcesses.fdCount(d.pid()) <= fds))
        .as("daemon fds back to %d, now %d", fds, CapnetProcesses.fdCount(d.pid())).isTrue();
  }
}
