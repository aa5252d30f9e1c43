package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.io.IOException;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted CapTP peer for protocol tests: it speaks raw messages, so a test can send exactly
 * the bad input it means to and read exactly what the peer under test answers.
 */
final class FakePeer implements AutoCloseable {
  final QueueNetwork.Pipe pipe;
  final KeyPair keys;
  final Bytes key;
  final PeerLocator location;
  private final BlockingQueue<Object> received = new ArrayBlockingQueue<>(100_000);
  private static final Object EOF = new Object();

  FakePeer(QueueNetwork.Pipe pipe, String designator) {
    this(pipe, designator, SessionKeys.generate());
  }

  FakePeer(QueueNetwork.Pipe pipe, String designator, KeyPair keys) {
    this.pipe = pipe;
    this.keys = keys;
    this.key = SessionKeys.raw(keys.getPublic());
    this.location = PeerLocator.of(designator, "memory");
    Thread.ofVirtual().start(() -> {
      try {
        while (true) {
          Object m = pipe.receive();
          if (m == null) break;
          received.add(m);
        }
      } catch (IOException e) {
        received.add(e);
      }
      received.add(EOF);
    });
  }

  static FakePeer dial(QueueNetwork net, String target, String as) throws IOException {
    return new FakePeer(net.dial(target), as);
  }

  Record startSession() {
    Record loc = location.toRecord();
    return Record.of("op:start-session", "1.0", SessionKeys.publicKeyValue(key), loc,
        SessionKeys.sign(keys.getPrivate(), Codec.syrup().encode(Record.of("my-location", loc))));
  }

  /** Sends our op:start-session and checks theirs. */
  FakePeer hello() throws Exception {
    send(startSession());
    theirHello();
    return this;
  }

  /** Reads and checks their op:start-session; returns their session key. */
  Bytes theirHello() throws Exception {
    Record theirs = expect("op:start-session");
    Bytes theirKey = SessionKeys.parsePublicKey(theirs.field(1));
    assertThat(SessionKeys.verify(theirKey,
        Codec.syrup().encode(Record.of("my-location", theirs.field(2))), theirs.field(3))).isTrue();
    return theirKey;
  }

  void send(Object message) throws IOException {
    pipe.sendValue(message);
  }

  /** The next message, or null at end of stream. */
  Object next() throws Exception {
    Object m = received.poll(10, TimeUnit.SECONDS);
    if (m == null) throw new AssertionError("no message within 10 s");
    if (m == EOF) {
      received.add(EOF);
      return null;
    }
    if (m instanceof Exception e) throw e;
    return m;
  }

  Record expect(String op) throws Exception {
    Object m = next();
    assertThat(m).as("expected a %s", op).isInstanceOf(Record.class);
    Record r = (Record) m;
    assertThat(r.label()).isEqualTo(new Symbol(op));
    return r;
  }

  /** Skips everything up to the op:abort and returns its reason; then the stream must end. */
  String abortReason() throws Exception {
    while (true) {
      Object m = next();
      if (m == null) throw new AssertionError("the stream ended with no op:abort");
      if (m instanceof Record r && r.hasLabel("op:abort")) {
        assertThat(next()).as("the connection closes after op:abort").isNull();
        return (String) r.field(0);
      }
    }
  }

  /** Fetches by swiss number with answer position {@code answerPos}; returns the answer desc. */
  Record fetch(Bytes swiss, long answerPos) throws IOException {
    send(Record.of("op:deliver", Record.of("desc:export", 0L), List.of(new Symbol("fetch"), swiss),
        answerPos, false));
    return Record.of("desc:answer", answerPos);
  }

  @Override
  public void close() {
    pipe.close();
  }
}
