package io.capnet.captp;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Distributed GC by wire delta, seen from a scripted peer. */
@Timeout(30)
class GcTest {
  static final Bytes SINK = Bytes.of((byte) 's');
  private final QueueNetwork net = new QueueNetwork();
  private Peer server;

  @BeforeEach
  void start() {
    server = Peer.builder().name("server").netlayer(net.netlayer("server"))
        .collectGarbageEvery(Duration.ofMillis(20)).build();
    server.export(server.spawn(a -> true), SINK);
  }

  @AfterEach
  void close() {
    server.close();
  }

  /** The next op:gc-export, skipping other traffic. */
  private static Record nextGc(FakePeer f) throws Exception {
    while (true) {
      Record r = (Record) f.next();
      if (r.hasLabel("op:gc-exports")) return r;
    }
  }

  @Test
  void gcExportCountsEveryReceiptAcrossMessages() throws Exception {
    try (FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      Record sink = f.fetch(SINK, 1);
      for (int i = 0; i < 3; i++) {
        f.send(Record.of("op:deliver-only", sink, List.of(Record.of("desc:import-object", 5L))));
      }
      f.send(Record.of("op:deliver-only", sink,
          List.of(Record.of("desc:import-object", 6L), Record.of("desc:import-object", 6L))));
      Record first = nextGc(f);
      Record second = nextGc(f);
      assertThat(List.of(first.fields(), second.fields())).containsExactlyInAnyOrder(
          List.of(List.of(5L), List.of(3L)), List.of(List.of(6L), List.of(2L)));
      // A fresh receipt after the drop starts a fresh count.
      f.send(Record.of("op:deliver-only", sink, List.of(Record.of("desc:import-object", 5L))));
      assertThat(nextGc(f).fields()).containsExactly(List.of(5L), List.of(1L));
    }
  }

  @Test
  void gcExportFromThePeerReleasesOurExport() throws Exception {
    Bytes maker = Bytes.of((byte) 'm');
    server.export(server.spawn(a -> server.spawn(b -> "fresh")), maker);
    try (FakePeer f = FakePeer.dial(net, "server", "fake").hello()) {
      Record m = f.fetch(maker, 1);
      f.send(Record.of("op:deliver", m, List.of(), 2L, false));
      f.send(Record.of("op:listen", Record.of("desc:answer", 2L), Record.of("desc:import-object", 9L), false));
      Record fulfil = f.expect("op:deliver");
      @SuppressWarnings("unchecked")
      List<Object> args = (List<Object>) fulfil.field(1);
      assertThat(args.get(0)).isEqualTo(new Symbol("fulfill"));
      Record exported = (Record) args.get(1);
      long pos = (Long) exported.field(0);
      Record asExport = Record.of("desc:export", pos);
      f.send(Record.of("op:deliver", asExport, List.of(), 3L, false));
      f.send(Record.of("op:gc-export", List.of(pos), List.of(1L)));
      // The export is gone: naming it now is a position never given.
      f.send(Record.of("op:deliver-only", asExport, List.of()));
      assertThat(f.abortReason()).isEqualTo("export position " + pos + " was never given (desc:export)");
    }
  }
}
