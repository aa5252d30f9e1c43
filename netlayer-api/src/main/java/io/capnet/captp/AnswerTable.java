package io.capnet.captp;

import java.util.HashMap;
import java.util.Map;

/**
 * The peer's questions in one session: answer position to the local promise for the answer,
 * kept until {@code op:gc-answer}, with the unsettled ones bounded by
 * {@code maxOutstandingQuestions}. Vat-confined.
 */
final class AnswerTable {
  private final Map<Long, LocalPromise> byPosition = new HashMap<>();
  private final PeerImpl peer;
  private final int maxOutstanding;
  private final int maxInUse;
  private int outstanding;
  private boolean cleared; // the session ended

  AnswerTable(PeerImpl peer, int maxOutstanding, int maxInUse) {
    this.peer = peer;
    this.maxOutstanding = maxOutstanding;
    this.maxInUse = maxInUse;
  }

  /** A promise for a question the peer asked, at {@code position} (or at none when -1). */
  LocalPromise answer(long position) throws ProtocolException {
    if (position >= 0 && byPosition.containsKey(position)) {
      throw new ProtocolException("answer position " + position + " reused while still in use");
    }
    if (outstanding >= maxOutstanding) {
      throw new ProtocolException("more than " + maxOutstanding + " outstanding questions in one session");
    }
    if (position >= 0 && byPosition.size() >= maxInUse) {
      throw new ProtocolException("more than " + maxInUse + " answer positions in use; op:gc-answers frees them"
          + " (maxAnswers)");
    }
    LocalPromise answer = new LocalPromise(peer);
    outstanding++;
    answer.onSettled((v, e) -> {
      outstanding--;
      if (cleared && v != null) io.capnet.value.Descriptor.closeAllIn(v); // settled after the session ended
    });
    if (position >= 0) byPosition.put(position, answer);
    return answer;
  }

  /** The promise at {@code position}, which the peer may name only while it is in use. */
  LocalPromise get(long position) throws ProtocolException {
    LocalPromise p = byPosition.get(position);
    if (p == null) throw new ProtocolException("answer position " + position + " was never given (desc:answer)");
    return p;
  }

  /** {@code op:gc-answer}: the peer forgot its question at {@code position}. */
  void forget(long position) throws ProtocolException {
    LocalPromise gone = byPosition.remove(position);
    if (gone == null) {
      throw new ProtocolException("op:gc-answer of answer position " + position + ", which is not in use");
    }
    closeUnsent(gone);
  }

  /** The session ended: answers no one can fetch now let go of their descriptors. */
  void clear() {
    cleared = true;
    for (LocalPromise p : byPosition.values()) closeUnsent(p);
    byPosition.clear();
  }

  // A descriptor sent to the peer was closed on sending; one still here reached no one.
  private static void closeUnsent(LocalPromise p) {
    Object v = p.fulfilledValue();
    if (v != null) io.capnet.value.Descriptor.closeAllIn(v);
  }
}
