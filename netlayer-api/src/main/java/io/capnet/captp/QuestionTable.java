package io.capnet.captp;

import io.capnet.value.Record;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The questions this side asked in one session, by answer position, until they settle. Vat-confined. */
final class QuestionTable {
  private final Map<Long, LocalPromise> byPosition = new LinkedHashMap<>();
  private long next = 1;

  /** Gives {@code answer} the next answer position and makes it a promise for that answer. */
  long ask(CaptpSession session, LocalPromise answer) {
    long q = next++;
    answer.remoteSession = session;
    answer.remoteDesc = Record.of("desc:answer", q);
    answer.questionPosition = q;
    byPosition.put(q, answer);
    return q;
  }

  /** The question at {@code position} settled; true if it was still open. */
  boolean settled(long position) {
    return byPosition.remove(position) != null;
  }

  /** The session died: every open question breaks with {@code reason}. */
  void breakAll(Object reason) {
    for (LocalPromise q : List.copyOf(byPosition.values())) q.breakWith(reason);
    byPosition.clear();
  }
}
