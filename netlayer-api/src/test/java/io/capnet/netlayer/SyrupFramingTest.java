package io.capnet.netlayer;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * tcp-testing-only's three framings against a raw socket that writes the bytes of spec/framing.md
 * by hand: the listener tells them apart from the first bytes and answers in the peer's, and a
 * dialler writes the one it was given. The Syrup of "hi" is the 4 bytes {@code 2"hi}.
 */
@Timeout(30)
class SyrupFramingTest {
  private Netlayer listener;
  private final BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
  private Socket raw;
  private Connection server;
  private long fdsBefore;

  @BeforeAll
  static void warmUp() throws Exception {
    TcpTestingOnlyNetlayerTest.warmUpSockets();
  }

  @BeforeEach
  void listen() throws Exception {
    fdsBefore = Leaks.openFds();
    listener = Netlayers.tcpTestingOnly("127.0.0.1", 0);
    listener.accept(accepted::add);
    raw = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(listener.locator().hint("port").orElseThrow()));
    raw.setSoTimeout(10_000);
    server = accepted.poll(10, TimeUnit.SECONDS);
    assertThat(server).isNotNull();
  }

  @AfterEach
  void closeAll() throws Exception {
    raw.close();
    server.close();
    listener.close();
    Leaks.assertFdsReturnTo(fdsBefore);
  }

  private void write(String bytes) throws IOException {
    raw.getOutputStream().write(bytes.getBytes(ISO_8859_1));
    raw.getOutputStream().flush();
  }

  private String read(int n) throws IOException {
    return new String(raw.getInputStream().readNBytes(n), ISO_8859_1);
  }

  private void reply(String value) throws IOException {
    ConnectionContractTest.send(server, value);
  }

  @Test
  void aLengthPrefixedPeerIsAnsweredLengthPrefixed() throws Exception {
    write("4:2\"hi");
    assertThat(server.receive()).isEqualTo("hi");
    reply("yo");
    assertThat(read(6)).isEqualTo("4:2\"yo");
    write("6:4\"next");
    assertThat(server.receive()).isEqualTo("next");
  }

  @Test
  void aNetstringPeerIsAnsweredInNetstrings() throws Exception {
    write("4:2\"hi,");
    assertThat(server.receive()).isEqualTo("hi");
    reply("yo");
    assertThat(read(7)).isEqualTo("4:2\"yo,");
    write("6:4\"next,");
    assertThat(server.receive()).isEqualTo("next");
  }

  @Test
  void aBareSyrupPeerIsAnsweredInBareSyrup() throws Exception {
    write("<2'hi>"); // a CapTP message is a record, so a bare stream starts with '<'
    assertThat(server.receive()).isEqualTo(io.capnet.value.Record.of("hi"));
    reply("yo");
    assertThat(read(4)).isEqualTo("2\"yo");
  }

  @Test
  void whatTheListenerSendsBeforeThePeerSpeaksWaitsAndGoesOutInThePeersFraming() throws Exception {
    Thread early = Thread.ofVirtual().start(() -> {
      try {
        reply("early");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    // The reader tells the framing, as a session's always-running reader does.
    var received = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return server.receive();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    write("4:2\"hi,");
    assertThat(read(10)).isEqualTo("7:5\"early,");
    early.join();
    assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("hi");
  }

  @Test
  void aLengthOverMaxValueBytesIsRefusedBeforeItsBodyArrives() throws Exception {
    write("16777217:"); // maxValueBytes is 16 MiB: one byte over, and no body at all
    assertThatThrownBy(() -> server.receive())
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.rule()).isEqualTo(Rule.VALUE_TOO_LARGE))
        .hasMessageContaining("over 16777216 bytes");
  }

  @Test
  void aBadLengthNamesTheFramingsExpected() throws Exception {
    write("3x2\"hi");
    assertThatThrownBy(() -> server.receive())
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.rule()).isEqualTo(Rule.UNEXPECTED_BYTE))
        .hasMessage("unexpected-byte at byte 1: length-prefixed or netstring framing expects a decimal length and"
            + " ':', got 'x'");
  }

  @Test
  void aFirstByteThatStartsNoFramingNamesAllThree() throws Exception {
    write("z");
    assertThatThrownBy(() -> server.receive())
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.rule()).isEqualTo(Rule.UNEXPECTED_BYTE))
        .hasMessage("unexpected-byte at byte 0: a tcp-testing-only connection starts with '<' (bare Syrup) or a"
            + " digit (a length-prefixed or netstring message), got 'z'");
  }

  @Test
  void aNetstringWithoutItsCommaIsRefusedNamingNetstring() throws Exception {
    write("4:2\"hi,4:2\"ab;");
    assertThat(server.receive()).isEqualTo("hi");
    assertThatThrownBy(() -> server.receive())
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.rule()).isEqualTo(Rule.UNEXPECTED_BYTE))
        .hasMessage("unexpected-byte at byte 13: netstring framing expects ',' after the message, got ';'");
  }

  @Test
  void aLengthPrefixedPeerThatLaterSendsACommaIsRefusedNamingLengthPrefixed() throws Exception {
    write("4:2\"hi");
    assertThat(server.receive()).isEqualTo("hi");
    reply("yo"); // settles on length-prefixed once the byte after the first message is late
    assertThat(read(6)).isEqualTo("4:2\"yo");
    write(",");
    assertThatThrownBy(() -> server.receive())
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.rule()).isEqualTo(Rule.UNEXPECTED_BYTE))
        .hasMessage("unexpected-byte at byte 6: length-prefixed framing expects a decimal length and ':', got ','");
  }

  @Test
  void aZeroLengthIsRefused() throws Exception {
    write("0:");
    assertThatThrownBy(() -> server.receive())
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.rule()).isEqualTo(Rule.MALFORMED_VALUE));
  }

  @Test
  void aDiallerWritesTheFramingItWasGiven() throws Exception {
    for (SyrupFraming f : SyrupFraming.values()) {
      try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          Netlayer dialler = Netlayers.tcpTestingOnly(Netlayers.randomDesignator(), "127.0.0.1", 0, f)) {
        var target = io.capnet.locator.PeerLocator.parse(
            "ocapn://x.tcp-testing-only?host=127.0.0.1&port=" + ss.getLocalPort());
        try (Connection c = dialler.connect(target); Socket s = ss.accept()) {
          ConnectionContractTest.send(c, "hi");
          String expected = switch (f) {
            case BARE_SYRUP -> "2\"hi";
            case LENGTH_PREFIXED -> "4:2\"hi";
            case NETSTRING -> "4:2\"hi,";
          };
          InputStream in = s.getInputStream();
          assertThat(new String(in.readNBytes(expected.length()), ISO_8859_1)).as("%s", f).isEqualTo(expected);
          s.getOutputStream().write(Arrays.copyOf(expected.replace("hi", "yo").getBytes(ISO_8859_1), expected.length()));
          assertThat(c.receive()).as("%s", f).isEqualTo("yo");
        }
      }
    }
  }
}
