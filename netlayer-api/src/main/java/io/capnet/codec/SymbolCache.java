package io.capnet.codec;

import io.capnet.value.Symbol;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A small, fixed-size cache from a symbol's UTF-8 bytes to its {@link Symbol}, so that the
 * handful of names on every CapTP message ({@code op:deliver}, {@code desc:export}, method
 * names) are not decoded again for each frame.
 *
 * <p>Bounded: {@value #SLOTS} slots, names up to {@value #MAX_NAME_BYTES} bytes; a colliding
 * name overwrites its slot, so a peer that sends many distinct symbols only lowers the hit
 * rate. Thread-safe without locks: slots hold immutable entries with final fields, so a racing
 * reader sees either no entry or a complete one, and every hit is checked byte for byte.
 */
final class SymbolCache {
  static final int SLOTS = 512;
  static final int MAX_NAME_BYTES = 48;

  private static final class Entry {
    final int hash;
    final byte[] utf8;
    final Symbol symbol;

    Entry(int hash, byte[] utf8, Symbol symbol) {
      this.hash = hash;
      this.utf8 = utf8;
      this.symbol = symbol;
    }
  }

  /** Symbol names are the same whatever the codec or limits, so every decoder shares one cache. */
  static final SymbolCache SHARED = new SymbolCache();

  private final Entry[] slots = new Entry[SLOTS];

  /** The cached symbol whose UTF-8 form is {@code data[from, from + length)}, or null. */
  Symbol get(byte[] data, int from, int length) {
    if (length > MAX_NAME_BYTES) return null;
    int h = hash(data, from, length);
    Entry e = slots[h & (SLOTS - 1)];
    if (e != null
        && e.hash == h
        && Arrays.equals(e.utf8, 0, e.utf8.length, data, from, from + length)) {
      return e.symbol;
    }
    return null;
  }

  /** Remembers {@code symbol}, whose validated UTF-8 form is {@code data[from, from + length)}. */
  void put(byte[] data, int from, int length, Symbol symbol) {
    if (length > MAX_NAME_BYTES) return;
    int h = hash(data, from, length);
    slots[h & (SLOTS - 1)] = new Entry(h, Arrays.copyOfRange(data, from, from + length), symbol);
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long MIX = 0x9E3779B97F4A7C15L;

  /** Constant time: the length and the first and last 8 bytes (hits are compared in full). */
  private static int hash(byte[] data, int from, int length) {
    long h;
    if (length >= 8) {
      h = (long) LONGS.get(data, from) * MIX ^ (long) LONGS.get(data, from + length - 8);
    } else {
      h = 0;
      for (int i = from, end = from + length; i < end; i++) h = (h << 8) | (data[i] & 0xff);
    }
    h = (h ^ length) * MIX;
    return (int) (h ^ (h >>> 32));
  }
}
