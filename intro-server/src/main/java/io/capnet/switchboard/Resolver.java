package io.capnet.switchboard;

import io.capnet.captp.BrokenException;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.unix.Labels;
import io.capnet.value.OcapnError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A registered resolver and its cache. Vat-confined. The resolver answers {@code resolve labels}
 * with {@code {"targets": [{"labels": {...}, "weight": n}, ...], "max-cache-seconds": n}}.
 */
final class Resolver {
  /** Bounds the answers kept per resolver; the oldest go first. */
  static final int MAX_CACHED = 1024;
  static final int MAX_TARGETS = 64;

  record Target(Labels labels, long weight) {}

  private record Cached(List<Target> targets, long expiresNanos) {}

  final long id;
  final Set<String> keys;
  final Labels labels;
  final Ref ref;
  private final ScheduledExecutorService timer;
  private final Duration deadline;
  private final Peer peer;
  private final Map<Labels, Cached> cache = new java.util.LinkedHashMap<>();
  private final Map<Labels, List<BiConsumer<List<Target>, String>>> inFlight = new HashMap<>();

  Resolver(long id, Set<String> keys, Labels labels, Ref ref, ScheduledExecutorService timer, Duration deadline, Peer peer) {
    this.id = id;
    this.keys = Set.copyOf(keys);
    this.labels = labels;
    this.ref = ref;
    this.timer = timer;
    this.deadline = deadline;
    this.peer = peer;
  }

  /** Calls {@code done} in the vat with the targets, or with a failure text. */
  void resolve(Labels question, BiConsumer<List<Target>, String> done) {
    Cached c = cache.get(question);
    if (c != null && System.nanoTime() - c.expiresNanos < 0) {
      done.accept(c.targets, null);
      return;
    }
    cache.remove(question);
    List<BiConsumer<List<Target>, String>> waiting = inFlight.get(question);
    if (waiting != null) {
      waiting.add(done);
      return;
    }
    List<BiConsumer<List<Target>, String>> mine = new ArrayList<>(List.of(done));
    inFlight.put(question, mine);
    boolean[] settled = {false};
    var timeout = timer.schedule(() -> peer.execute(() -> {
      if (settled[0]) return;
      settled[0] = true;
      finish(question, null, "no answer within " + deadline.toMillis() + " ms");
    }), deadline.toMillis(), TimeUnit.MILLISECONDS);
    ref.send("resolve", question.toValue()).future().whenComplete((answer, failure) -> {
      if (settled[0]) return;
      settled[0] = true;
      timeout.cancel(false);
      if (failure != null) {
        Object reason = failure instanceof BrokenException b ? b.reason() : failure;
        finish(question, null, reason instanceof OcapnError e ? e.message() : String.valueOf(reason));
        return;
      }
      try {
        Parsed p = parse(answer);
        if (p.cacheSeconds > 0) {
          if (cache.size() >= MAX_CACHED) cache.remove(cache.keySet().iterator().next());
          cache.put(question, new Cached(p.targets, System.nanoTime() + TimeUnit.SECONDS.toNanos(p.cacheSeconds)));
        }
        finish(question, p.targets, null);
      } catch (IllegalArgumentException e) {
        finish(question, null, "malformed answer: " + e.getMessage());
      }
    });
  }

  private void finish(Labels question, List<Target> targets, String failure) {
    List<BiConsumer<List<Target>, String>> waiting = inFlight.remove(question);
    if (waiting != null) for (var w : waiting) w.accept(targets, failure);
  }

  private record Parsed(List<Target> targets, long cacheSeconds) {}

  private static Parsed parse(Object answer) {
    if (!(answer instanceof Map<?, ?> m) || !(m.get("targets") instanceof List<?> list)) {
      throw new IllegalArgumentException("expected {\"targets\": [...], \"max-cache-seconds\": n}");
    }
    if (list.size() > MAX_TARGETS) throw new IllegalArgumentException("more than " + MAX_TARGETS + " targets");
    List<Target> targets = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> t) || !(t.get("weight") instanceof Long w) || w < 0) {
        throw new IllegalArgumentException("a target must be {\"labels\": {...}, \"weight\": n >= 0}");
      }
      targets.add(new Target(Labels.fromValue(t.get("labels"), "target labels"), w));
    }
    Object secs = m.get("max-cache-seconds");
    long cacheSeconds = secs instanceof Long l && l > 0 ? Math.min(l, 86_400) : 0;
    return new Parsed(targets, cacheSeconds);
  }
}
