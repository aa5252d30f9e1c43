package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Any failure on the write path ends the session with a reason and breaks its promises; a
 * writer never dies quietly while the session looks alive (issue 12, item 12).
 */
@Timeout(30)
class WriteFailureEndsSessionTest {
  @Test
  void aRuntimeExceptionFromTheTransportsSendEndsTheSessionAndBreaksItsPromises() throws Exception {
    QueueNetwork net = new QueueNetwork();
    AtomicBoolean armed = new AtomicBoolean();
    try (Peer alice = Peer.builder().name("alice").netlayer(net.netlayer("alice")).build();
         Peer bob = Peer.builder().name("bob").netlayer(new Failing(net.netlayer("bob"), armed)).build()) {
      Ref echo = (Ref) bob.enliven(alice.export(alice.spawn(a -> a.get(1)))).future().get(10, TimeUnit.SECONDS);
      assertThat(echo.send("echo", "before").future().get(10, TimeUnit.SECONDS)).isEqualTo("before");
      armed.set(true);
      assertThatThrownBy(() -> echo.send("echo", "after").future().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(BrokenException.class)
          .hasMessageContaining("could not write to the peer")
          .hasMessageContaining("the transport refused the frame");
      for (int i = 0; i < 100 && !bob.sessions().isEmpty(); i++) Thread.sleep(20);
      assertThat(bob.sessions()).as("bob's sessions after the write failure").isEmpty();
    }
  }

  /** A netlayer whose connections' {@code send} throws once armed. */
  private record Failing(Netlayer inner, AtomicBoolean armed) implements Netlayer {
    @Override
    public String transport() {
      return inner.transport();
    }

    @Override
    public PeerLocator locator() {
      return inner.locator();
    }

    @Override
    public Connection connect(PeerLocator remote) throws IOException {
      return new Throwing(inner.connect(remote), armed);
    }

    @Override
    public void accept(Consumer<Connection> incoming) throws IOException {
      inner.accept(c -> incoming.accept(new Throwing(c, armed)));
    }

    @Override
    public boolean supports(NetlayerCapability capability) {
      return false;
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }
  }

  private record Throwing(Connection inner, AtomicBoolean armed) implements Connection {
    @Override
    public Codec codec() {
      return inner.codec();
    }

    @Override
    public Object receive() throws IOException {
      return inner.receive();
    }

    @Override
    public void send(byte[] message, List<Descriptor> descriptors) throws IOException {
      if (armed.get()) throw new IllegalStateException("the transport refused the frame");
      inner.send(message, descriptors);
    }

    @Override
    public void flush() throws IOException {
      inner.flush();
    }

    @Override
    public boolean supports(NetlayerCapability capability) {
      return inner.supports(capability);
    }

    @Override
    public String description() {
      return inner.description();
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }
  }
}
