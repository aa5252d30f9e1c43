package io.capnet.captp;

import java.util.concurrent.CompletableFuture;

/**
 * The eventual answer of a send. Messages sent to an unsettled promise are pipelined: when the
 * promise is the answer of a remote send, they go straight to the remote peer, which delivers
 * them to the answer once it exists, with no round trip in between.
 */
public interface Promise extends Ref {
  /**
   * A future for the settled value: a plain value, or a {@link Ref} for an object. It fails with
   * {@link BrokenException} when the promise breaks. Dependent stages run on the peer's vat unless
   * given an executor: never block in them.
   */
  CompletableFuture<Object> future();

  /** A promise for field {@code name} of the Struct this promise settles to ({@code op:get}). */
  Promise get(String name);

  /** A promise for element {@code index} of the List this promise settles to ({@code op:index}). */
  Promise index(long index);

  /** A promise for the value of the Tagged this promise settles to, if its tag is {@code tag}. */
  Promise untag(String tag);
}
