package io.capnet.captp;

import java.util.List;
import java.util.function.Consumer;

/**
 * A reference to an object, local or remote. Every send is eventual: it returns at once, and the
 * object handles the message later, in a turn of the vat it lives in. Refs are thread-safe.
 */
public interface Ref {
  /**
   * Sends {@code [method, args...]} with the method as a Symbol, the OCapN convention.
   *
   * @return a promise for the answer, which can itself be sent to before it settles
   */
  Promise send(String method, Object... args);

  /** Sends {@code args} as they are, with no method symbol prepended. */
  Promise call(List<Object> args);

  /** Like {@link #send} but asks for no answer: no promise, no answer traffic. */
  void sendOnly(String method, Object... args);

  /** Like {@link #call} but asks for no answer. */
  void callOnly(List<Object> args);

  /**
   * Runs {@code reaction} once, on the owning peer's vat, when this reference breaks: its session
   * died, it was revoked, or (for a promise) it broke. The argument is the reason, usually an
   * {@link io.capnet.value.OcapnError}. Runs soon if it is already broken.
   */
  void whenBroken(Consumer<Object> reaction);

  /** True for a promise that has not settled, or settled to a broken state. */
  boolean isPromise();
}
