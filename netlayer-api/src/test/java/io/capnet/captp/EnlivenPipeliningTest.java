package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A send to an enlivened sturdyref goes out right behind the bootstrap fetch, to the fetch's
 * answer position, as Endo and Goblins send it: the scripted peer answers nothing until both
 * have arrived.
 */
@Timeout(20)
class EnlivenPipeliningTest {
  private final QueueNetwork net = new QueueNetwork();
  private final LinkedBlockingQueue<QueueNetwork.Pipe> dialledIn = new LinkedBlockingQueue<>();
  private Peer client;

  @BeforeEach
  void start() {
    client = Peer.builder().name("client").netlayer(net.netlayer("client")).build();
    net.netlayer("fake").accept(c -> dialledIn.add((QueueNetwork.Pipe) c));
  }

  @AfterEach
  void close() {
    client.close();
  }

  private FakePeer accept() throws Exception {
    FakePeer f = new FakePeer(dialledIn.poll(10, TimeUnit.SECONDS), "fake");
    f.theirHello();
    f.send(f.startSession());
    return f;
  }

  /** Reads the fetch; returns its answer position. */
  private static long expectFetch(FakePeer f) throws Exception {
    Record fetch = f.expect("op:deliver");
    assertThat(fetch.field(0)).isEqualTo(Record.of("desc:export", 0L));
    assertThat(fetch.field(1)).isEqualTo(List.of(new Symbol("fetch"), Bytes.fromHex("41414141")));
    return (Long) fetch.field(2);
  }

  /** Answers a question through the resolver it named. */
  private static void fulfil(FakePeer f, Record question, Object value) throws Exception {
    long resolver = (Long) ((Record) question.field(3)).field(0);
    f.send(Record.of("op:deliver", Record.of("desc:export", resolver), List.of(new Symbol("fulfill"), value), false,
        false));
  }

  @Test
  void aSendMadeBeforeTheConnectionExistsFollowsTheFetchToItsAnswerPosition() throws Exception {
    Promise greeter = client.enliven("ocapn://fake.memory/s/AAAA");
    Promise reply = greeter.send("greet", "you");
    try (FakePeer f = accept()) {
      long answer = expectFetch(f);
      Record greet = f.expect("op:deliver"); // nothing has been answered yet
      assertThat(greet.field(0)).isEqualTo(Record.of("desc:answer", answer));
      assertThat(greet.field(1)).isEqualTo(List.of(new Symbol("greet"), "you"));

      fulfil(f, greet, "hello you");
      assertThat(reply.future().get(10, TimeUnit.SECONDS)).isEqualTo("hello you");
      assertThat(greeter.future()).as("the fetch itself is still unanswered").isNotDone();
    }
  }

  @Test
  void aSendMadeWhileTheFetchIsUnansweredIsPipelinedToo() throws Exception {
    Promise greeter = client.enliven("ocapn://fake.memory/s/AAAA");
    try (FakePeer f = accept()) {
      long answer = expectFetch(f);
      Promise reply = greeter.send("greet", "later");
      Record greet = f.expect("op:deliver");
      assertThat(greet.field(0)).isEqualTo(Record.of("desc:answer", answer));
      assertThat(greet.field(1)).isEqualTo(List.of(new Symbol("greet"), "later"));
      fulfil(f, greet, "hello later");
      assertThat(reply.future().get(10, TimeUnit.SECONDS)).isEqualTo("hello later");
    }
  }
}
