package io.capnet.netlayer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The accept loop survives whatever one accept or one handler throws. */
@Timeout(30)
class AcceptLoopTest {
  @Test
  void aRuntimeExceptionFromAcceptIsRetriedAndTheLoopGoesOn() {
    AtomicInteger calls = new AtomicInteger();
    AtomicBoolean closed = new AtomicBoolean();
    List<Integer> handled = new ArrayList<>();
    AcceptLoop.run(() -> {
      int n = calls.incrementAndGet();
      if (n == 2) throw new IllegalStateException("accept blew up");
      return n;
    }, closed::get, "a test listener", n -> {
      handled.add(n);
      if (handled.size() == 3) closed.set(true);
    });
    assertThat(handled).containsExactly(1, 3, 4);
  }

  @Test
  void aHandlerThatThrowsHasItsSocketClosedAndTheLoopGoesOn() {
    AtomicInteger calls = new AtomicInteger();
    AtomicBoolean closed = new AtomicBoolean();
    List<AtomicBoolean> sockets = new ArrayList<>();
    AcceptLoop.run(() -> {
      AtomicBoolean open = new AtomicBoolean(true);
      sockets.add(open);
      calls.incrementAndGet();
      return (AutoCloseable) () -> open.set(false);
    }, closed::get, "a test listener", c -> {
      if (calls.get() == 3) closed.set(true);
      if (calls.get() == 1) throw new IllegalArgumentException("handler blew up");
    });
    assertThat(calls).hasValue(3);
    assertThat(sockets.get(0)).as("the socket whose handler threw").isFalse();
    assertThat(sockets.get(1)).as("a socket handled normally").isTrue();
  }
}
