package io.capnet.tcptls;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.value.Bytes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Large values over a tcp-tls session, where a frame of 64 KiB or more is sealed from the
 * encoder's array as it is (not copied into the outbound buffer): small and large messages sent
 * back to back arrive whole, byte for byte, and in the order they were sent.
 */
class TlsBulkTest {
  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  @Timeout(60)
  void smallAndLargeFramesArriveWholeAndInOrder() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Peer alice = Peer.builder().name("alice").netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)).build();
        Peer bob = Peer.builder().name("bob").netlayer(TcpTls.netlayer(TlsIdentity.generate(), "127.0.0.1", 0)).build()) {
      Ref sink = alice.spawn(Methods.builder().on("take", a -> {
        byte[] b = ((Bytes) a.get(1)).toByteArray();
        try {
          seen.add(a.get(0) + " " + b.length + " " + sha256(b));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return (long) b.length;
      }).build());
      Ref remote = (Ref) bob.enliven(alice.export(sink)).future().get(20, TimeUnit.SECONDS);
      Random random = new Random(7);
      int[] sizes = {10, 1 << 20, 3, 64 * 1024, 64 * 1024 - 1, 5, (1 << 20) + 17, 100, 2 << 20, 1};
      List<String> expected = new ArrayList<>();
      List<java.util.concurrent.CompletableFuture<Object>> answers = new ArrayList<>();
      for (int i = 0; i < sizes.length; i++) {
        byte[] b = new byte[sizes[i]];
        random.nextBytes(b);
        expected.add(i + " " + b.length + " " + sha256(b));
        answers.add(remote.send("take", (long) i, Bytes.of(b)).future());
      }
      for (int i = 0; i < sizes.length; i++) {
        assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo((long) sizes[i]);
      }
      assertThat(seen).containsExactlyElementsOf(expected);
    }
  }
}
