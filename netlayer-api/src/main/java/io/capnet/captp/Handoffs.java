package io.capnet.captp;

import io.capnet.codec.Codec;
import io.capnet.value.Bytes;
import io.capnet.value.OcapnError;
import io.capnet.value.Record;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The exporter's side of third-party handoffs (spec/captp.md): gifts deposited by a gifter's
 * session, and the checks a {@code withdraw-gift} must pass before a receiver gets one. The
 * gifter's side ({@code desc:handoff-give}) and the receiver's ({@code desc:handoff-receive})
 * are made by the sessions involved. Vat-confined.
 */
final class Handoffs {
  private final Function<Bytes, CaptpSession> sessions; // active sessions by session id
  private final Map<GiftKey, List<LocalPromise>> waiting = new HashMap<>();

  private record GiftKey(Bytes session, Bytes giftId) {}

  Handoffs(Function<Bytes, CaptpSession> sessions) {
    this.sessions = sessions;
  }

  void deposit(CaptpSession gifter, Bytes giftId, Object gift) {
    GiftKey key = new GiftKey(gifter.sessionId, giftId);
    List<LocalPromise> waiters = waiting.remove(key);
    if (waiters != null) {
      for (LocalPromise p : waiters) p.resolve(gift);
      return;
    }
    if (gifter.depositedGifts().putIfAbsent(giftId, gift) != null) {
      throw new BrokenException(new OcapnError("a gift with this id is already deposited"));
    }
  }

  /** The exporter's side of a handoff: check both signatures and the count, then hand over. */
  void withdraw(CaptpSession receiver, Object envelope, LocalPromise gift) {
    try {
      Record receive = field(envelope, "desc:sig-envelope", 2, 0, "desc:handoff-receive", 4);
      Object receiveSig = ((Record) envelope).field(1);
      Record signedGive = field(receive, "desc:handoff-receive", 4, 3, "desc:sig-envelope", 2);
      Record give = field(signedGive, "desc:sig-envelope", 2, 0, "desc:handoff-give", 5);
      Bytes receiverKey = SessionKeys.parsePublicKey(give.field(0));
      if (!SessionKeys.verify(receiverKey, Codec.syrup().encode(receive), receiveSig)) {
        throw refusal("the desc:handoff-receive signature does not verify with the receiver key in the give");
      }
      if (!receiver.sessionId.equals(receive.field(0)) || !receiver.remotePublicId.equals(receive.field(1))) {
        throw refusal("the desc:handoff-receive names another session or another receiving side");
      }
      if (!(receive.field(2) instanceof Long count) || count < 0) {
        throw refusal("the handoff-count must be a non-negative integer");
      }
      checkGive(signedGive);
      if (!receiver.spendHandoffCount(count)) {
        throw refusal("handoff-count " + count + " was already used in this session (a replay?)");
      }
      withdrawOwnGift((Bytes) give.field(2), (Bytes) give.field(4), gift);
    } catch (BrokenException e) {
      gift.breakWith(e.reason());
    } catch (ProtocolException e) {
      gift.breakWith(new OcapnError("handoff refused: " + e.getMessage()));
    }
  }

  /** The gifter's half: its session is active, the give names its side, and it signed the give. */
  private void checkGive(Record signedGive) {
    Record give = (Record) signedGive.field(0);
    if (!(give.field(2) instanceof Bytes giftSession) || !(give.field(3) instanceof Bytes gifterSide)
        || !(give.field(4) instanceof Bytes)) {
      throw refusal("the desc:handoff-give session, gifter-side and gift-id must be ByteArrays");
    }
    CaptpSession gifter = sessions.apply(giftSession);
    if (gifter == null) throw refusal("no active session has the id the desc:handoff-give names");
    if (!gifter.remotePublicId.equals(gifterSide)) {
      throw refusal("the gifter-side does not match the gifter in that session");
    }
    if (!SessionKeys.verify(gifter.remoteKey, Codec.syrup().encode(give), signedGive.field(1))) {
      throw refusal("the desc:handoff-give signature does not verify with the gifter's session key");
    }
  }

  /** Gift ids already withdrawn through a give naming us as exporter, by gifter session: replays. */
  private final Map<Bytes, java.util.Set<Bytes>> spent = new HashMap<>();
  // A gifter's own handoffs are its to make; only so many are remembered (the oldest go first).
  private static final int SPENT_PER_SESSION = 10_000;

  /**
   * A give that names us as the exporter, received by us as well (gifter, exporter and receiver
   * are two peers): the same checks as a withdraw-gift's gifter half, and each give once.
   */
  void withdrawOwn(Record signedGive, LocalPromise gift) {
    try {
      checkGive(signedGive);
      Record give = (Record) signedGive.field(0);
      Bytes giftSession = (Bytes) give.field(2);
      Bytes giftId = (Bytes) give.field(4);
      java.util.Set<Bytes> used = spent.computeIfAbsent(giftSession, k -> java.util.Collections.newSetFromMap(
          new java.util.LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Bytes, Boolean> eldest) {
              return size() > SPENT_PER_SESSION;
            }
          }));
      if (!used.add(giftId)) throw refusal("that desc:handoff-give was already withdrawn (a replay?)");
      withdrawOwnGift(giftSession, giftId, gift);
    } catch (BrokenException e) {
      gift.breakWith(e.reason());
    }
  }

  void withdrawOwnGift(Bytes giftSession, Bytes giftId, LocalPromise gift) {
    CaptpSession gifter = sessions.apply(giftSession);
    if (gifter == null) {
      gift.breakWith(new OcapnError("handoff refused: no active session has the id the give names"));
      return;
    }
    Object deposited = gifter.depositedGifts().remove(giftId);
    if (deposited != null) {
      gift.resolve(deposited);
    } else {
      waiting.computeIfAbsent(new GiftKey(giftSession, giftId), k -> new ArrayList<>(1)).add(gift);
    }
  }

  private static BrokenException refusal(String why) {
    return new BrokenException(new OcapnError("handoff refused: " + why));
  }

  private static Record field(Object outer, String outerLabel, int outerArity, int index, String label, int arity) {
    if (!(outer instanceof Record r) || !r.hasLabel(outerLabel) || r.size() != outerArity
        || !(r.field(index) instanceof Record inner) || !inner.hasLabel(label) || inner.size() != arity) {
      throw refusal("expected " + outerLabel + " holding a " + label + " with " + arity + " fields");
    }
    return inner;
  }

  /** A gifter's session ended: gifts still awaited from it never come. */
  void gifterEnded(CaptpSession s) {
    spent.remove(s.sessionId);
    for (var it = waiting.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (e.getKey().session().equals(s.sessionId)) {
        for (LocalPromise p : e.getValue()) {
          p.breakWith(new OcapnError("handoff failed: the gifter's session ended before the gift was"
              + " deposited: " + s.deathReason().message()));
        }
        it.remove();
      }
    }
  }
}
