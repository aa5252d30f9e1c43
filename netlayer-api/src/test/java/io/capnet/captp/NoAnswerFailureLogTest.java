package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.netlayer.InMemoryNetwork;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A handler that fails on a message nobody waits for is not silent: the failure is logged. */
@Timeout(30)
class NoAnswerFailureLogTest {
  @Test
  void aHandlerThatThrowsOnASendOnlyIsLoggedWithItsException() throws Exception {
    Logger jul = Logger.getLogger("io.capnet.captp.Peer");
    LinkedBlockingQueue<LogRecord> records = new LinkedBlockingQueue<>();
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        records.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    jul.addHandler(h);
    InMemoryNetwork net = InMemoryNetwork.create();
    try (Peer alice = Peer.builder().name("alice").netlayer(net.netlayer("alice")).build();
         Peer bob = Peer.builder().name("bob").netlayer(net.netlayer("bob")).build()) {
      Ref failing = alice.spawn(args -> {
        throw new IllegalStateException("the handler broke on purpose");
      });
      Ref atBob = (Ref) bob.enliven(alice.export(failing)).future().get(10, TimeUnit.SECONDS);
      atBob.sendOnly("boom");
      LogRecord r;
      do {
        r = records.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a log record of the failure").isNotNull();
      } while (r.getThrown() == null);
      assertThat(r.getMessage()).isEqualTo("a handler failed on a message that wanted no answer");
      assertThat(r.getThrown()).hasMessage("the handler broke on purpose");
    } finally {
      jul.removeHandler(h);
    }
  }
}
