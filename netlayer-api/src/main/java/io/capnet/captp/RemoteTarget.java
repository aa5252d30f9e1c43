package io.capnet.captp;

import io.capnet.value.Record;
import java.util.List;
import java.util.function.Consumer;

/** An object another peer exports to us in one session: {@code <desc:export position>}. */
final class RemoteTarget extends RefImpl {
  final CaptpSession session;
  final long position;
  final Record desc;
  private final Breakage breakage = new Breakage();
  private boolean listening;

  RemoteTarget(PeerImpl peer, CaptpSession session, long position) {
    super(peer);
    this.session = session;
    this.position = position;
    this.desc = Record.of("desc:export", position);
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
    Object reason = breakage.reason() != null ? breakage.reason() : session.deathReason();
    if (reason != null) {
      io.capnet.value.Descriptor.closeAllIn(args);
      if (answer != null) answer.breakWith(reason);
      return;
    }
    session.sendDeliver(desc, args, answer);
  }

  /** The session died, or the exporter told a listener that the object broke (was revoked). */
  void broke(Object reason) {
    breakage.breakWith(reason);
  }

  @Override
  void onBroken(Consumer<Object> reaction) {
    if (breakage.reason() == null && session.deathReason() != null) breakage.breakWith(session.deathReason());
    breakage.onBroken(reaction);
    if (breakage.reason() == null && !listening) {
      // A revocable exporter answers op:listen on a target only when the target breaks.
      listening = true;
      session.sendListenForBreakage(this);
    }
  }

  @Override
  public String toString() {
    return "RemoteTarget[" + position + " via " + session + "]";
  }
}
