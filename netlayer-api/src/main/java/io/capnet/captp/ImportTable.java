package io.capnet.captp;

import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What the peer exports to this side in one session: position to the local proxy, held weakly,
 * with the number of times the peer sent it, so that a dropped proxy can be released with one
 * {@code op:gc-export} of that count. Vat-confined.
 */
final class ImportTable {
  private final Map<Long, Entry> byPosition = new HashMap<>();

  /** One imported position; {@link #dropped} gives its count back once the proxy is gone. */
  static final class Entry {
    final long position;
    final boolean promise;
    long count = 1;
    WeakReference<RefImpl> ref;

    Entry(long position, boolean promise) {
      this.position = position;
      this.promise = promise;
    }
  }

  /**
   * The proxy for {@code position}: the live one, counting this receipt, or a new one made by
   * {@code make} (which also arranges for {@link #dropped} once it is collected).
   */
  RefImpl receive(long position, boolean promise, Function<Entry, RefImpl> make) throws ProtocolException {
    Entry e = byPosition.get(position);
    if (e != null) {
      if (e.promise != promise) {
        throw new ProtocolException("import position " + position + " changed kind while still imported");
      }
      RefImpl live = e.ref.get();
      if (live != null) {
        e.count++;
        return live;
      }
    }
    Entry fresh = new Entry(position, promise);
    RefImpl proxy = make.apply(fresh);
    fresh.ref = new WeakReference<>(proxy);
    byPosition.put(position, fresh);
    return proxy;
  }

  /** The proxy of {@code e} was collected: returns how many receipts to release (0 if none). */
  long dropped(Entry e) {
    if (byPosition.get(e.position) == e) byPosition.remove(e.position);
    long delta = e.count;
    e.count = 0;
    return delta;
  }

  /** The session died: every live proxy breaks with {@code reason}. */
  void breakAll(Object reason) {
    for (Entry e : byPosition.values()) {
      RefImpl r = e.ref.get();
      if (r instanceof LocalPromise p) p.breakWith(reason);
      else if (r instanceof RemoteTarget t) t.broke(reason);
    }
    byPosition.clear();
  }
}
