package io.capnet.captp;

import io.capnet.value.Reference;
import io.capnet.value.Symbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/** What every reference shares: sends from any thread become turns in the owning vat. */
abstract sealed class RefImpl implements Ref, Reference permits LocalObject, LocalPromise, RemoteTarget {
  final PeerImpl peer;

  RefImpl(PeerImpl peer) {
    this.peer = peer;
  }

  /** Delivers a message in the vat; {@code answer} is null for a send that wants none. */
  abstract void deliver(List<Object> args, LocalPromise answer);

  /** Registers a reaction to breakage, in the vat. */
  abstract void onBroken(Consumer<Object> reaction);

  @Override
  public final Promise send(String method, Object... args) {
    return call(withMethod(method, args));
  }

  @Override
  public final Promise call(List<Object> args) {
    List<Object> copy = List.copyOf(args);
    LocalPromise answer = new LocalPromise(peer);
    peer.vat.execute(() -> deliver(copy, answer));
    return answer;
  }

  @Override
  public final void sendOnly(String method, Object... args) {
    callOnly(withMethod(method, args));
  }

  @Override
  public final void callOnly(List<Object> args) {
    List<Object> copy = List.copyOf(args);
    peer.vat.execute(() -> deliver(copy, null));
  }

  @Override
  public final void whenBroken(Consumer<Object> reaction) {
    Objects.requireNonNull(reaction, "reaction");
    peer.vat.execute(() -> onBroken(reaction));
  }

  static List<Object> withMethod(String method, Object... args) {
    List<Object> all = new ArrayList<>(args.length + 1);
    all.add(new Symbol(method));
    for (Object a : args) all.add(Objects.requireNonNull(a, "null argument; use Null.NULL"));
    return all;
  }
}
