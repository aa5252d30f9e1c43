package io.capnet.captp;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What this side exports in one session: position to local object, each counted every time it
 * is sent, so that {@code op:gc-export} can release it only once the peer has dropped every copy.
 * Position 0 is the bootstrap object, never released. Vat-confined.
 */
final class ExportTable {
  private final Map<Long, Entry> byPosition = new HashMap<>();
  private final Map<Object, Entry> byObject = new IdentityHashMap<>();
  private long next = 1;

  private static final class Entry {
    final long position;
    final RefImpl object;
    long count;

    Entry(long position, RefImpl object) {
      this.position = position;
      this.object = object;
    }
  }

  ExportTable(RefImpl bootstrap) {
    Entry e = new Entry(0, bootstrap);
    e.count = Long.MAX_VALUE / 2; // never collected
    byPosition.put(0L, e);
    byObject.put(bootstrap, e);
  }

  /** The position {@code r} is exported at (a new one the first time), counting this send. */
  long send(RefImpl r) {
    Entry e = byObject.get(r);
    if (e == null) {
      e = new Entry(next++, r);
      byPosition.put(e.position, e);
      byObject.put(r, e);
    }
    e.count++;
    return e.position;
  }

  /** Positions in use, the bootstrap object's included. */
  int size() {
    return byPosition.size();
  }

  /** The object at {@code position}, which the peer may name only once it was given. */
  RefImpl get(long position) throws ProtocolException {
    Entry e = byPosition.get(position);
    if (e == null) throw new ProtocolException("export position " + position + " was never given (desc:export)");
    return e.object;
  }

  /** {@code op:gc-export}: the peer dropped {@code delta} of the copies it received. */
  void release(long position, long delta) throws ProtocolException {
    if (position == 0) return; // the bootstrap object lives as long as the session
    Entry e = byPosition.get(position);
    if (e == null) throw new ProtocolException("op:gc-export of export position " + position + ", which was never given");
    if (delta > e.count) {
      throw new ProtocolException("op:gc-export of position " + position + " by " + delta
          + " but it was sent only " + e.count + " times");
    }
    e.count -= delta;
    if (e.count == 0) {
      byPosition.remove(position);
      byObject.remove(e.object);
    }
  }

  void clear() {
    byPosition.clear();
    byObject.clear();
  }
}
