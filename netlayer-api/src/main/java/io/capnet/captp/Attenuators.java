package io.capnet.captp;

import io.capnet.value.OcapnError;
import io.capnet.value.Symbol;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The forwarders behind {@link Caretaker} and {@link Facet}. */
final class Attenuators {
  private Attenuators() {}

  static Caretaker caretaker(PeerImpl peer, RefImpl target) {
    checkOwned(peer, target);
    LocalObject forwarder = new LocalObject(peer, (LocalObject.Revocable) target::call);
    return new Caretaker() {
      @Override
      public Ref ref() {
        return forwarder;
      }

      @Override
      public void revoke(Object reason) {
        Object wire = reason instanceof String s ? new OcapnError("revoked: " + s) : reason;
        peer.vat.execute(() -> forwarder.revoke(wire));
      }
    };
  }

  static Ref facet(PeerImpl peer, RefImpl target, Set<String> allowed) {
    checkOwned(peer, target);
    String names = new TreeSet<>(allowed).stream().map(n -> "'" + n).toList().toString();
    Handler h = (List<Object> args) -> {
      if (!args.isEmpty() && args.get(0) instanceof Symbol s && allowed.contains(s.name())) {
        return target.call(args);
      }
      String method = !args.isEmpty() && args.get(0) instanceof Symbol s ? "'" + s.name() : "a message with no method";
      throw new BrokenException(new OcapnError(method + " is not allowed through this facet; allowed: " + names));
    };
    return new LocalObject(peer, h);
  }

  private static void checkOwned(PeerImpl peer, RefImpl target) {
    if (target.peer != peer) throw new IllegalArgumentException("the target belongs to another Peer");
  }
}
