package io.capnet.captp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Netlayers;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions whose peers ask for large answers and never read are cut off, biggest first, once
 * together they hold more than maxOutboundBytesInAll, though each is under its own limit (issue
 * 12 #5); a peer that reads is served throughout. Real loopback TCP, raw clients.
 */
@Timeout(60)
class OutboundBudgetTest {
  private static final Bytes BIG = Bytes.of((byte) 'b');

  /** A raw tcp-testing-only client, length-prefixed: asks for {@code n} big answers and reads nothing. */
  private static Socket hog(int port, int n) throws Exception {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    OutputStream out = s.getOutputStream();
    KeyPair keys = SessionKeys.generate();
    Record loc = PeerLocator.of("hog" + System.nanoTime(), "tcp-testing-only").toRecord();
    List<Object> messages = new ArrayList<>();
    messages.add(Record.of("op:start-session", "1.0", SessionKeys.publicKeyValue(SessionKeys.raw(keys.getPublic())),
        loc, SessionKeys.sign(keys.getPrivate(), Codec.syrup().encode(Record.of("my-location", loc)))));
    messages.add(Record.of("op:deliver", Record.of("desc:export", 0L), List.of(new Symbol("fetch"), BIG), 1L, false));
    for (long i = 0; i < n; i++) {
      messages.add(Record.of("op:deliver", Record.of("desc:answer", 1L), List.of(), 2L + i,
          Record.of("desc:import-object", 10L + i)));
    }
    for (Object m : messages) {
      byte[] b = Codec.syrup().encode(m);
      out.write((b.length + ":").getBytes(US_ASCII));
      out.write(b);
    }
    out.flush();
    return s;
  }

  @Test
  void sessionsThatDoNotReadAreCutBiggestFirstOnceTogetherTheyPassTheBudget() throws Exception {
    List<String> ended = new ArrayList<>();
    Logger log = Logger.getLogger("io.capnet.captp.Session");
    Level before = log.getLevel();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        synchronized (ended) {
          if (r.getMessage() != null && r.getMessage().contains(" ended: ")) ended.add(r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    log.addHandler(capture);
    log.setLevel(Level.INFO);
    SessionLimits limits = SessionLimits.DEFAULT.withMaxOutboundBytesInAll(16L << 20); // 64 MiB each still
    byte[] quarterMiB = new byte[256 * 1024];
    try (Peer server = Peer.builder().name("server").limits(limits)
            .netlayer(Netlayers.tcpTestingOnly("127.0.0.1", 0)).build();
        Peer reader = Peer.builder().name("reader").netlayer(Netlayers.tcpTestingOnly("127.0.0.1", 0)).build()) {
      server.export(server.spawn(a -> Bytes.of(quarterMiB)), BIG);
      Ref big = (Ref) reader.enliven(server.locator().sturdyref(BIG)).future().get(10, TimeUnit.SECONDS);
      int port = Integer.parseInt(server.locator().hint("port").orElseThrow());
      List<Socket> hogs = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) hogs.add(hog(port, 60)); // 15 MiB asked for by each
        boolean cut = false;
        for (int i = 0; i < 200 && !cut; i++) {
          synchronized (ended) {
            cut = ended.stream().anyMatch(l -> l.contains("(maxOutboundBytesInAll)"));
          }
          if (!cut) Thread.sleep(50);
        }
        assertThat(cut).as("a session was cut by the budget; ended: %s", ended).isTrue();
        assertThat(((Bytes) big.send("get").future().get(10, TimeUnit.SECONDS)).length())
            .as("the peer that reads is still served").isEqualTo(256 * 1024);
        synchronized (ended) {
          assertThat(ended).allSatisfy(l -> assertThat(l).doesNotContain("bytes queued for the peer: it is not reading"));
        }
      } finally {
        for (Socket s : hogs) s.close();
      }
    } finally {
      log.removeHandler(capture);
      log.setLevel(before);
    }
  }
}
