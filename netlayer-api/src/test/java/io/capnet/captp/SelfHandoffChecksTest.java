package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.codec.Codec;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A desc:handoff-give that names this peer as the exporter, received by this peer too, passes
 * the exporter's checks as a withdraw-gift does (issue 12 #11): the gifter's signature, its
 * session, its side, and each give once. The scripted peer is the gifter.
 */
@Timeout(20)
class SelfHandoffChecksTest {
  private static final Bytes ECHO = Bytes.of((byte) 'e');
  private final QueueNetwork net = new QueueNetwork();
  private Peer server;

  @BeforeEach
  void start() {
    server = Peer.builder().name("server").netlayer(net.netlayer("server")).build();
    server.export(server.spawn(a -> a.get(0)), ECHO);
  }

  @AfterEach
  void close() {
    server.close();
  }

  /** A gifter session: its key, and the server's key in it. */
  private record Gifter(FakePeer peer, Bytes serverKey) {
    Bytes sessionId() {
      return SessionKeys.sessionId(SessionKeys.publicId(peer.key), SessionKeys.publicId(serverKey));
    }
  }

  private Gifter gifter() throws Exception {
    FakePeer f = FakePeer.dial(net, "server", "fake");
    f.send(f.startSession());
    return new Gifter(f, f.theirHello());
  }

  private static void deposit(FakePeer f, Bytes giftId) throws Exception {
    f.send(Record.of("op:deliver-only", Record.of("desc:export", 0L),
        List.of(new Symbol("deposit-gift"), giftId, Record.of("desc:import-object", 5L))));
  }

  private Record envelope(Bytes receiverKey, Bytes session, Bytes gifterSide, Bytes giftId, KeyPair signer) {
    Record give = Record.of("desc:handoff-give", SessionKeys.publicKeyValue(receiverKey), server.locator().toRecord(),
        session, gifterSide, giftId);
    return Record.of("desc:sig-envelope", give, SessionKeys.sign(signer.getPrivate(), Codec.syrup().encode(give)));
  }

  /** Sends the envelope through the echo at {@code pos} and returns what its listener hears. */
  private static List<?> redeem(FakePeer f, Record envelope, long pos) throws Exception {
    Record echo = f.fetch(ECHO, pos);
    f.send(Record.of("op:deliver", echo, List.of(envelope), pos + 1, false));
    f.send(Record.of("op:listen", Record.of("desc:answer", pos + 1), Record.of("desc:import-object", 100L + pos), false));
    Record heard = f.expect("op:deliver");
    assertThat(heard.field(0)).isEqualTo(Record.of("desc:export", 100L + pos));
    return (List<?>) heard.field(1);
  }

  private static void assertRefused(List<?> heard, String reason) {
    assertThat(heard.get(0)).isEqualTo(new Symbol("break"));
    assertThat(String.valueOf(heard.get(1))).contains("handoff refused: " + reason);
  }

  @Test
  void aWellSignedGiveFromTheGifterSessionYieldsTheDepositedGiftOnceAndAReplayIsRefused() throws Exception {
    Gifter g = gifter();
    try (FakePeer f = g.peer()) {
      Bytes giftId = Bytes.of((byte) 1, (byte) 2);
      deposit(f, giftId);
      Record env = envelope(g.serverKey(), g.sessionId(), SessionKeys.publicId(f.key), giftId, f.keys);
      assertThat(redeem(f, env, 1)).isEqualTo(List.of(new Symbol("fulfill"), Record.of("desc:export", 5L)));
      assertRefused(redeem(f, env, 3), "that desc:handoff-give was already withdrawn (a replay?)");
    }
  }

  @Test
  void aGiveWithABadGifterSignatureIsRefused() throws Exception {
    Gifter g = gifter();
    try (FakePeer f = g.peer()) {
      Bytes giftId = Bytes.of((byte) 3);
      deposit(f, giftId);
      Record env = envelope(g.serverKey(), g.sessionId(), SessionKeys.publicId(f.key), giftId, SessionKeys.generate());
      assertRefused(redeem(f, env, 1), "the desc:handoff-give signature does not verify with the gifter's session key");
    }
  }

  @Test
  void aGiveNamingAnotherGifterSideIsRefused() throws Exception {
    Gifter g = gifter();
    try (FakePeer f = g.peer()) {
      Bytes giftId = Bytes.of((byte) 4);
      deposit(f, giftId);
      Record env = envelope(g.serverKey(), g.sessionId(), Bytes.of(new byte[32]), giftId, f.keys);
      assertRefused(redeem(f, env, 1), "the gifter-side does not match the gifter in that session");
    }
  }

  @Test
  void aGiveWhoseGifterSessionHasEndedIsRefused() throws Exception {
    Gifter old = gifter();
    Bytes giftId = Bytes.of((byte) 5);
    deposit(old.peer(), giftId);
    // A round trip behind the deposit: the server has taken it.
    old.peer().send(Record.of("op:deliver", Record.of("desc:export", 0L), List.of(new Symbol("fetch"), ECHO), 1L,
        Record.of("desc:import-object", 50L)));
    assertThat(old.peer().expect("op:deliver").field(0)).isEqualTo(Record.of("desc:export", 50L));
    old.peer().close();
    for (int i = 0; i < 200 && !server.sessions().isEmpty(); i++) Thread.sleep(10);
    Gifter now = gifter();
    try (FakePeer f = now.peer()) {
      Record env = envelope(now.serverKey(), old.sessionId(), SessionKeys.publicId(old.peer().key), giftId,
          old.peer().keys);
      assertRefused(redeem(f, env, 1), "no active session has the id the desc:handoff-give names");
    }
  }
}
