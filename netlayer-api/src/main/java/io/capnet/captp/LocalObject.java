package io.capnet.captp;

import io.capnet.value.OcapnError;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** An object that lives in this peer's vat, behaving as its {@link Handler} says. */
final class LocalObject extends RefImpl {
  private final Handler handler;
  private Object revokedReason;
  private List<Consumer<Object>> brokenReactions;

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
    if (revokedReason != null) {
      if (answer != null) answer.breakWith(revokedReason);
      return;
    }
    Object result;
    try {
      result = handler.handle(args);
    } catch (BrokenException e) {
      if (answer != null) answer.breakWith(e.reason());
      return;
    } catch (Exception | StackOverflowError e) {
      if (answer != null) answer.breakWith(errorFor(e));
      return;
    }
    if (answer != null) answer.resolve(result == null ? io.capnet.value.Null.NULL : result);
  }

  /** Revocable objects (caretakers) can break; once broken they refuse every message. */
  boolean revocable() {
    return handler instanceof Revocable;
  }

  boolean isRevoked() {
    return revokedReason != null;
  }

  void revoke(Object reason) {
    if (revokedReason != null) return;
    revokedReason = reason;
    List<Consumer<Object>> reactions = brokenReactions;
    brokenReactions = null;
    if (reactions != null) for (Consumer<Object> r : reactions) PeerImpl.runReaction(r, reason);
  }

  @Override
  void onBroken(Consumer<Object> reaction) {
    if (revokedReason != null) {
      PeerImpl.runReaction(reaction, revokedReason);
    } else if (revocable()) {
      if (brokenReactions == null) brokenReactions = new ArrayList<>();
      brokenReactions.add(reaction);
    }
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
