package io.capnet.captp;

import io.capnet.value.OcapnError;
import java.util.List;
import java.util.function.Consumer;

/** An object that lives in this peer's vat, behaving as its {@link Handler} says. */
final class LocalObject extends RefImpl {
  private final Handler handler;
  private final Breakage revoked = new Breakage();

  LocalObject(PeerImpl peer, Handler handler) {
    super(peer);
    this.handler = handler;
  }

  @Override
  public Kind referenceKind() {
    return Kind.TARGET;
  }

  @Override
  public boolean isPromise() {
    return false;
  }

  @Override
  void deliver(List<Object> args, LocalPromise answer) {
    if (revoked.reason() != null) {
      io.capnet.value.Descriptor.closeAllIn(args); // nobody will take them
      if (answer != null) answer.breakWith(revoked.reason());
      return;
    }
    Object result;
    try {
      result = handler.handle(args);
    } catch (BrokenException e) {
      // A handler that refuses a message takes none of its descriptors (a facet's refusal, say).
      io.capnet.value.Descriptor.closeAllIn(args);
      if (answer != null) answer.breakWith(e.reason());
      else PeerImpl.LOG.log(System.Logger.Level.INFO, "a message that wanted no answer was refused: " + e.reason());
      return;
    } catch (Exception | StackOverflowError e) {
      io.capnet.value.Descriptor.closeAllIn(args);
      if (answer != null) answer.breakWith(errorFor(e));
      else PeerImpl.LOG.log(System.Logger.Level.WARNING, "a handler failed on a message that wanted no answer", e);
      return;
    }
    if (answer != null) answer.resolve(result == null ? io.capnet.value.Null.NULL : result);
    else discard(result);
  }

  /** A result nobody asked for: the descriptors in it, now or once it settles, reach no one. */
  static void discard(Object result) {
    if (result instanceof LocalPromise p) {
      p.onSettled((value, broken) -> {
        if (value != null) io.capnet.value.Descriptor.closeAllIn(value);
      });
    } else if (!(result instanceof RefImpl)) {
      io.capnet.value.Descriptor.closeAllIn(result);
    }
  }

  /** Revocable objects (caretakers) can break; once broken they refuse every message. */
  boolean revocable() {
    return handler instanceof Revocable;
  }

  boolean isRevoked() {
    return revoked.reason() != null;
  }

  void revoke(Object reason) {
    revoked.breakWith(reason);
  }

  /** A plain object never breaks, so only a revocable one keeps the reaction. */
  @Override
  void onBroken(Consumer<Object> reaction) {
    if (revocable() || isRevoked()) revoked.onBroken(reaction);
  }

  static OcapnError errorFor(Throwable e) {
    String m = e.getMessage();
    return new OcapnError(m == null || m.isEmpty() ? e.getClass().getSimpleName() : m);
  }

  /** Marks a handler whose object can be revoked. */
  interface Revocable extends Handler {}

  @Override
  public String toString() {
    return "LocalObject[" + handler.getClass().getSimpleName() + "]";
  }
}
