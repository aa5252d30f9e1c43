package io.capnet.captp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Netlayers;
import io.capnet.netlayer.SyrupFraming;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A scripted peer over a raw TCP socket that frames every message itself, as Endo (length-prefixed),
 * the netstring drafts and the OCapN test suite (bare) do, against a Capnet peer that listens:
 * each reply must come back in the peer's framing, byte for byte, from the start-session on.
 */
@Timeout(30)
class FramedTcpPeerTest {
  @ParameterizedTest
  @EnumSource(SyrupFraming.class)
  void aPeerThatDialsInAnyFramingIsAnsweredInItAndServed(SyrupFraming framing) throws Exception {
    try (Peer server = Peer.builder().name("server").netlayer(Netlayers.tcpTestingOnly("127.0.0.1", 0)).build()) {
      server.export(server.spawn(a -> "hello " + a.get(1)), Bytes.of((byte) 'g'));
      int port = Integer.parseInt(server.locator().hint("port").orElseThrow());
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(10_000);
        Framed f = new Framed(framing, s.getInputStream(), s.getOutputStream());
        KeyPair keys = SessionKeys.generate();
        Record loc = PeerLocator.of("fake", "tcp-testing-only").toRecord();
        f.write(Record.of("op:start-session", "1.0", SessionKeys.publicKeyValue(SessionKeys.raw(keys.getPublic())), loc,
            SessionKeys.sign(keys.getPrivate(), Codec.syrup().encode(Record.of("my-location", loc)))));
        Record theirs = (Record) f.read();
        assertThat(theirs.label()).isEqualTo(new Symbol("op:start-session"));

        f.write(Record.of("op:deliver", Record.of("desc:export", 0L), List.of(new Symbol("fetch"), Bytes.of((byte) 'g')),
            1L, false));
        f.write(Record.of("op:deliver", Record.of("desc:answer", 1L), List.of(new Symbol("greet"), "you"), 2L, false));
        f.write(Record.of("op:listen", Record.of("desc:answer", 2L), Record.of("desc:import-object", 9L), false));
        Record fulfil = (Record) f.read();
        assertThat(fulfil.label()).isEqualTo(new Symbol("op:deliver"));
        assertThat(fulfil.field(0)).isEqualTo(Record.of("desc:export", 9L));
        assertThat(fulfil.field(1)).isEqualTo(List.of(new Symbol("fulfill"), "hello you"));
      }
    }
  }

  /** Reads and writes one framing strictly, written from spec/framing.md, not from the netlayer's code. */
  private static final class Framed {
    private final SyrupFraming framing;
    private final InputStream in;
    private final OutputStream out;
    private final io.capnet.codec.ValueReader bare;
    private boolean started;

    Framed(SyrupFraming framing, InputStream in, OutputStream out) {
      this.framing = framing;
      this.in = new java.io.BufferedInputStream(in);
      this.out = out;
      this.bare = Codec.syrupReader(this.in, Codec.syrup().limits());
    }

    void write(Object value) throws IOException {
      byte[] m = Codec.syrup().encode(value);
      if (framing != SyrupFraming.BARE_SYRUP) out.write((m.length + ":").getBytes(US_ASCII));
      out.write(m);
      if (framing == SyrupFraming.NETSTRING) out.write(',');
      out.flush();
    }

    Object read() throws IOException {
      if (framing == SyrupFraming.BARE_SYRUP) {
        if (!started) { // the listener must not have answered in a decimal framing
          in.mark(1);
          assertThat(in.read()).as("a bare stream starts with '<'").isEqualTo('<');
          in.reset();
          started = true;
        }
        return bare.read();
      }
      ByteArrayOutputStream digits = new ByteArrayOutputStream();
      for (int c; (c = in.read()) != ':'; ) {
        assertThat(c).as("a length digit").isBetween((int) '0', (int) '9');
        digits.write(c);
      }
      byte[] m = in.readNBytes(Integer.parseInt(digits.toString(US_ASCII)));
      if (framing == SyrupFraming.NETSTRING) assertThat(in.read()).as("the netstring's comma").isEqualTo(',');
      return Codec.syrup().decode(m);
    }
  }
}
