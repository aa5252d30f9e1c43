package io.capnet.captp;

/**
 * A promise with its resolver, made by {@link Peer#deferred()}. The resolver can be kept locally
 * ({@link #fulfill}, {@link #breakWith}) or passed to another peer as a {@link Ref} that takes
 * {@code 'fulfill value} and {@code 'break reason}.
 */
public interface Deferred {
  Promise promise();

  /** The resolver as an object: {@code ['fulfill v]} or {@code ['break e]}. */
  Ref resolver();

  void fulfill(Object value);

  void breakWith(Object reason);
}
