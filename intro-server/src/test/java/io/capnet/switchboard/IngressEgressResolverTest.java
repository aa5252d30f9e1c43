package io.capnet.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.SwitchboardException.Code;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ingress, egress and resolver through a real daemon, in process. */
@Timeout(60)
class IngressEgressResolverTest {
  private final SwitchboardFixture fx;

  IngressEgressResolverTest() throws Exception {
    fx = new SwitchboardFixture();
  }

  @AfterEach
  void close() throws Exception {
    fx.close();
  }

  private static SwitchboardException refusal(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(SwitchboardException.class);
    return (SwitchboardException) t;
  }

  private static void say(UnixSocket s, String text) throws IOException {
    s.channel().write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String hear(UnixSocket s, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining() && s.channel().read(b) > 0) {}
    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
  }

  @Test
  void ingressPushesASocketToTheServerItsLabelsMatch() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard root = fx.client(d);
    LinkedBlockingQueue<Switchboard.Introduction> arrived = new LinkedBlockingQueue<>();
    root.serve(Labels.of("svc", "web"), arrived::add);
    UnixSockets.Pair pair = UnixSockets.pair();
    Labels connection = root.ingress(pair.first(), Labels.of("svc", "web", "address_family", "inet", "client_address", "127.0.0.1"));
    Switchboard.Introduction theirs = arrived.poll(10, TimeUnit.SECONDS);
    assertThat(theirs.labels()).isEqualTo(connection);
    assertThat(connection.asMap()).containsEntry("address_family", "inet").containsKeys("server_pid", "client_pid");
    try (UnixSocket outside = UnixSockets.channel(pair.second()); UnixSocket server = UnixSockets.channel(theirs.socket())) {
      say(outside, "ping");
      assertThat(hear(server, 4)).isEqualTo("ping");
    }
  }

  @Test
  void ingressMayNeverReachAnEgress() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    root.egress(Labels.of("kind", "out"), labels -> new Switchboard.Introduction(UnixSockets.pair().first(), Labels.empty()));
    UnixSockets.Pair pair = UnixSockets.pair();
    SwitchboardException e = refusal(() -> root.ingress(pair.first(), Labels.of("kind", "out")));
    assertThat(e.code()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(e.detail()).contains("an ingress may never reach an egress");
    pair.second().close();
  }

  @Test
  void eachRoleNeedsItsRight() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    Switchboard none = root.constrain(EnumSet.of(Right.LIST), Labels.empty(), Labels.empty());
    UnixSockets.Pair pair = UnixSockets.pair();
    assertThat(refusal(() -> none.ingress(pair.first(), Labels.of("a", "b"))).detail()).contains("INGRESS_CONNECT");
    assertThat(refusal(() -> none.egress(Labels.of("a", "b"), l -> null)).detail()).contains("EGRESS_START");
    assertThat(refusal(() -> none.resolver(Set.of("server_hostname"), q -> null)).detail()).contains("RESOLVER_START");
    pair.second().close();
  }

  @Test
  void connectThroughAnEgressGetsTheSocketItOpened() throws Exception {
    SwitchboardDaemon d = fx.daemon();
    Switchboard root = fx.client(d);
    LinkedBlockingQueue<UnixSocket> farEnds = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Labels> asked = new LinkedBlockingQueue<>();
    root.egress(Labels.of("egress", "tcp"), labels -> {
      asked.add(labels);
      UnixSockets.Pair p = UnixSockets.pair();
      farEnds.add(UnixSockets.channel(p.second()));
      return new Switchboard.Introduction(p.first(), Labels.of("reached", "far-end"));
    });
    Switchboard.Introduction intro = root.connect(Labels.of("egress", "tcp", "server_address", "10.0.0.1", "server_port", "80"));
    assertThat(intro.labels().get("reached")).as("labels the egress answered join the union").contains("far-end");
    assertThat(asked.poll(10, TimeUnit.SECONDS).asMap()).containsEntry("server_address", "10.0.0.1").containsKey("client_pid");
    try (UnixSocket mine = UnixSockets.channel(intro.socket()); UnixSocket far = farEnds.poll(10, TimeUnit.SECONDS)) {
      say(mine, "GET");
      assertThat(hear(far, 3)).isEqualTo("GET");
    }
  }

  @Test
  void anEgressThatCannotConnectTellsTheClientWhy() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    root.egress(Labels.of("egress", "tcp"), labels -> {
      throw new java.net.ConnectException("Connection refused");
    });
    SwitchboardException e = refusal(() -> root.connect(Labels.of("egress", "tcp")));
    assertThat(e.code()).isEqualTo(Code.UNAVAILABLE);
    assertThat(e.detail()).endsWith("did not take the connection: Connection refused");
  }

  @Test
  void resolverFeedsTheEgressAndItsAnswerIsCached() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    AtomicInteger questions = new AtomicInteger();
    root.resolver(Set.of("server_hostname", "server_service"), q -> {
      questions.incrementAndGet();
      assertThat(q).isEqualTo(Labels.of("server_hostname", "db.example", "server_service", "5432"));
      return new Switchboard.Resolution(List.of(
          new Switchboard.Resolution.Target(Labels.of("address_family", "inet", "server_address", "192.0.2.7", "server_port", "5432"), 1)),
          Duration.ofSeconds(60));
    });
    LinkedBlockingQueue<Labels> asked = new LinkedBlockingQueue<>();
    root.egress(Labels.of("egress", "tcp"), labels -> {
      asked.add(labels);
      return new Switchboard.Introduction(UnixSockets.pair().first(), Labels.empty());
    });
    for (int i = 0; i < 2; i++) {
      root.connect(Labels.of("egress", "tcp", "server_hostname", "db.example", "server_service", "5432")).socket().close();
      assertThat(asked.poll(10, TimeUnit.SECONDS).asMap()).containsEntry("server_address", "192.0.2.7")
          .containsEntry("server_hostname", "db.example");
    }
    assertThat(questions.get()).as("the second connect used the cached answer").isEqualTo(1);
  }

  @Test
  void resolverFailuresReachTheClient() throws Exception {
    Switchboard root = fx.client(fx.daemon());
    root.resolver(Set.of("server_hostname"), q -> {
      if (q.get("server_hostname").orElseThrow().equals("nowhere")) {
        return new Switchboard.Resolution(List.of(), Duration.ZERO);
      }
      throw new java.net.UnknownHostException("Name or service not known");
    });
    root.egress(Labels.of("egress", "tcp"), labels -> new Switchboard.Introduction(UnixSockets.pair().first(), Labels.empty()));
    SwitchboardException none = refusal(() -> root.connect(Labels.of("server_hostname", "nowhere")));
    assertThat(none.code()).isEqualTo(Code.NOT_FOUND);
    assertThat(none.detail()).contains("found no target for {\"server_hostname\":\"nowhere\"}");
    SwitchboardException broken = refusal(() -> root.connect(Labels.of("server_hostname", "bad")));
    assertThat(broken.code()).isEqualTo(Code.UNAVAILABLE);
    assertThat(broken.detail()).endsWith("Name or service not known");
  }
}
