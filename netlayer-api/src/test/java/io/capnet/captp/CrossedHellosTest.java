package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crossed hellos: the peer under test dials a scripted peer while the scripted peer dials it.
 * The scripted peer picks its key so that a chosen session wins, and the test checks that the
 * peer under test aborts the other one and uses the winner.
 */
@Timeout(20)
class CrossedHellosTest {
  private final QueueNetwork net = new QueueNetwork();
  private final LinkedBlockingQueue<QueueNetwork.Pipe> dialledIn = new LinkedBlockingQueue<>();
  private Peer server;

  @AfterEach
  void close() {
    if (server != null) server.close();
  }

  private FakePeer[] cross(boolean incomingWins) throws Exception {
    server = Peer.builder().name("server").netlayer(net.netlayer("server"))
        .limits(SessionLimits.DEFAULT.withAbortLinger(java.time.Duration.ofMillis(100))).build();
    net.netlayer("fake").accept(c -> dialledIn.add((QueueNetwork.Pipe) c));
    Promise fetched = server.enliven("ocapn://fake.memory/s/AAAA");
    FakePeer outbound = new FakePeer(dialledIn.poll(10, TimeUnit.SECONDS), "fake");
    Bytes serverOutboundId = SessionKeys.publicId(outbound.theirHello());
    KeyPair keys;
    do {
      keys = SessionKeys.generate();
    } while ((SessionKeys.publicId(SessionKeys.raw(keys.getPublic())).compareTo(serverOutboundId) > 0) != incomingWins);
    FakePeer inbound = new FakePeer(net.dial("server"), "fake", keys);
    inbound.hello();
    assertThat(fetched.future()).isNotDone();
    return new FakePeer[] {outbound, inbound};
  }

  @Test
  void crossedHellosKeepTheSessionWhoseInitiatorKeyIsHigher_incoming() throws Exception {
    FakePeer[] f = cross(true);
    assertThat(f[0].abortReason()).isEqualTo("crossed hellos: the other session between these peers won");
    Record fetch = f[1].expect("op:deliver");
    assertThat(fetch.field(1)).isEqualTo(List.of(new Symbol("fetch"), Bytes.fromHex("41414141")));
    assertThat(server.sessions()).hasSize(1);
  }

  @Test
  void crossedHellosKeepTheSessionWhoseInitiatorKeyIsHigher_outgoing() throws Exception {
    FakePeer[] f = cross(false);
    assertThat(f[1].abortReason()).isEqualTo("crossed hellos: the other session between these peers won");
    f[0].send(f[0].startSession());
    Record fetch = f[0].expect("op:deliver");
    assertThat(fetch.field(1)).isEqualTo(List.of(new Symbol("fetch"), Bytes.fromHex("41414141")));
    assertThat(server.sessions()).hasSize(1);
  }

  @Test
  void aSendPipelinedBehindAFetchOnTheLosingSessionGoesAgainOnTheWinner() throws Exception {
    server = Peer.builder().name("server").netlayer(net.netlayer("server"))
        .limits(SessionLimits.DEFAULT.withAbortLinger(java.time.Duration.ofMillis(100))).build();
    net.netlayer("fake").accept(c -> dialledIn.add((QueueNetwork.Pipe) c));
    Promise greeter = server.enliven("ocapn://fake.memory/s/AAAA");
    Promise reply = greeter.send("greet", "you");
    FakePeer outbound = new FakePeer(dialledIn.poll(10, TimeUnit.SECONDS), "fake");
    outbound.theirHello();
    outbound.send(outbound.startSession());
    long lostFetch = (Long) outbound.expect("op:deliver").field(2);
    assertThat(outbound.expect("op:deliver").field(0)).isEqualTo(Record.of("desc:answer", lostFetch));

    // The fake's own dial won on its side: it aborts the server's session and comes in.
    outbound.send(Record.of("op:abort", "crossed hellos: the other session between these peers won"));
    FakePeer inbound = new FakePeer(net.dial("server"), "fake");
    inbound.hello();
    Record fetch = inbound.expect("op:deliver");
    assertThat(fetch.field(1)).isEqualTo(List.of(new Symbol("fetch"), Bytes.fromHex("41414141")));
    Record greet = inbound.expect("op:deliver");
    assertThat(greet.field(0)).isEqualTo(Record.of("desc:answer", fetch.field(2)));
    assertThat(greet.field(1)).isEqualTo(List.of(new Symbol("greet"), "you"));
    long resolver = (Long) ((Record) greet.field(3)).field(0);
    inbound.send(Record.of("op:deliver", Record.of("desc:export", resolver), List.of(new Symbol("fulfill"), "hello"),
        false, false));
    assertThat(reply.future().get(10, TimeUnit.SECONDS)).isEqualTo("hello");
  }
}
