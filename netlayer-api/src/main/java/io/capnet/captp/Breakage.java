package io.capnet.captp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A target's broken state and the whenBroken reactions waiting for it; vat-confined. */
final class Breakage {
  private Object reason;
  private List<Consumer<Object>> reactions;

  Object reason() {
    return reason;
  }

  /** Breaks once, running the waiting reactions; later calls do nothing. */
  void breakWith(Object why) {
    if (reason != null) return;
    reason = why;
    List<Consumer<Object>> waiting = reactions;
    reactions = null;
    if (waiting != null) for (Consumer<Object> r : waiting) PeerImpl.runReaction(r, why);
  }

  /** Runs {@code reaction} now if broken, else when it breaks. */
  void onBroken(Consumer<Object> reaction) {
    if (reason != null) {
      PeerImpl.runReaction(reaction, reason);
      return;
    }
    if (reactions == null) reactions = new ArrayList<>(1);
    reactions.add(reaction);
  }
}
