package io.capnet.netlayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class InMemoryNetworkTest {
  private final InMemoryNetwork net = InMemoryNetwork.create();

  @Test
  void locatorIsDesignatorDotMemory() {
    Netlayer alice = net.netlayer("alice");
    assertThat(alice.transport()).isEqualTo("memory");
    assertThat(alice.locator().toUri()).isEqualTo("ocapn://alice.memory");
    assertThat(PeerLocator.parse("ocapn://alice.memory")).isEqualTo(alice.locator());
    assertThat(alice.supports(NetlayerCapability.DESCRIPTORS)).isFalse();
  }

  @Test
  void connectToAnUnknownDesignatorFailsNamingIt() {
    Netlayer alice = net.netlayer("alice");
    assertThatThrownBy(() -> alice.connect(PeerLocator.of("nobody-here", "memory")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("nobody-here");
  }

  @Test
  void connectToAClosedNetlayerFailsNamingIt() throws Exception {
    Netlayer alice = net.netlayer("alice");
    Netlayer bob = net.netlayer("bob");
    bob.close();
    assertThatThrownBy(() -> alice.connect(bob.locator())).isInstanceOf(IOException.class).hasMessageContaining("bob");
    alice.close();
    assertThatThrownBy(() -> alice.connect(bob.locator())).isInstanceOf(IOException.class).hasMessageContaining("alice");
  }

  @Test
  void aDesignatorRegisteredTwiceIsRefusedUntilClosed() throws Exception {
    Netlayer first = net.netlayer("alice");
    assertThatThrownBy(() -> net.netlayer("alice")).isInstanceOf(IllegalStateException.class).hasMessageContaining("alice");
    first.close();
    assertThat(net.netlayer("alice").locator()).isEqualTo(first.locator());
    assertThat(InMemoryNetwork.create().netlayer("alice")).as("networks are separate").isNotNull();
  }

  @Test
  void acceptDeliversEachConnectionOnAVirtualThreadIncludingOnesMadeBeforeAccept() throws Exception {
    Netlayer alice = net.netlayer("alice");
    Netlayer bob = net.netlayer("bob");
    Connection early = alice.connect(bob.locator());
    BlockingQueue<Boolean> virtual = new LinkedBlockingQueue<>();
    bob.accept(c -> virtual.add(Thread.currentThread().isVirtual()));
    Connection late = alice.connect(bob.locator());
    assertThat(virtual.poll(10, TimeUnit.SECONDS)).isTrue();
    assertThat(virtual.poll(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> bob.accept(c -> {})).isInstanceOf(IllegalStateException.class);
    early.close();
    late.close();
  }

  @Test
  void aSenderBlocksWhenItsPeerDoesNotRead() throws Exception {
    Netlayer alice = net.netlayer("alice");
    Netlayer bob = net.netlayer("bob");
    BlockingQueue<Connection> q = new LinkedBlockingQueue<>();
    bob.accept(q::add);
    Connection a = alice.connect(bob.locator());
    Connection b = q.poll(10, TimeUnit.SECONDS);
    byte[] msg = Codec.syrup().encode("x");
    AtomicInteger sent = new AtomicInteger();
    CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 0; i <= InMemoryNetwork.MAX_FRAMES; i++) {
          a.send(msg, List.of());
          sent.incrementAndGet();
        }
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    while (sent.get() < InMemoryNetwork.MAX_FRAMES) Thread.sleep(5);
    Thread.sleep(100);
    assertThat(sender).as("the frame past the bound waits for the reader").isNotDone();
    assertThat(b.receive()).isEqualTo("x");
    sender.get(10, TimeUnit.SECONDS);
    assertThat(sent).hasValue(InMemoryNetwork.MAX_FRAMES + 1);
  }

  @Test
  void afterThePeerClosesSendThrowsConnectionClosed() throws Exception {
    Netlayer alice = net.netlayer("alice");
    Netlayer bob = net.netlayer("bob");
    BlockingQueue<Connection> q = new LinkedBlockingQueue<>();
    bob.accept(q::add);
    Connection a = alice.connect(bob.locator());
    Connection b = q.poll(10, TimeUnit.SECONDS);
    b.close();
    assertThatThrownBy(() -> a.send(Codec.syrup().encode("x"), List.of()))
        .isInstanceOf(IOException.class)
        .hasMessage("connection closed");
    assertThat(a.receive()).isNull();
  }

  @Test
  void framesAreCopiedWhenSent() throws Exception {
    Netlayer alice = net.netlayer("alice");
    Netlayer bob = net.netlayer("bob");
    BlockingQueue<Connection> q = new LinkedBlockingQueue<>();
    bob.accept(q::add);
    Connection a = alice.connect(bob.locator());
    Connection b = q.poll(10, TimeUnit.SECONDS);
    byte[] msg = Codec.syrup().encode("abc");
    a.send(msg, List.of());
    msg[msg.length - 1] = 'z';
    assertThat(b.receive()).isEqualTo("abc");
  }
}
