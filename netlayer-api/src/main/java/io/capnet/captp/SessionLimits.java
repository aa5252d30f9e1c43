package io.capnet.captp;

import java.time.Duration;

/**
 * Per-session limits (see {@code spec/limits.md}): everything a remote peer can make us hold is
 * bounded here. A peer that breaks one is cut off with an {@code op:abort} that names the limit.
 *
 * @param maxOutstandingQuestions questions from the peer not yet answered, and gifts not yet
 *     withdrawn; one more aborts the session
 * @param maxOutboundBytes encoded bytes queued for a peer that is not reading; more aborts
 * @param maxQueuedInbound decoded messages waiting for the vat before the reader stops reading
 * @param startTimeout how long a new connection may take to send op:start-session
 * @param abortLinger how long an ended session keeps reading (and discarding) before it closes,
 *     so that closing with unread input does not reset the connection and lose the op:abort
 * @param maxQueuedDeliveries messages from the peer waiting on our promises that have not settled
 * @param maxListeners the peer's {@code op:listen}s waiting on our promises that have not settled
 *     and on caretakers that have not been revoked
 * @param maxAnswers answer positions the peer holds in use, settled or not, until it frees them
 *     with {@code op:gc-answers}
 * @param maxExports objects and promises exported to the peer and not yet released by {@code
 *     op:gc-exports}
 * @param maxOutboundBytesInAll encoded bytes queued for all of a {@code Peer}'s sessions together;
 *     past it the session holding the most is cut off first
 */
public record SessionLimits(
    int maxOutstandingQuestions,
    long maxOutboundBytes,
    int maxQueuedInbound,
    Duration startTimeout,
    Duration abortLinger,
    int maxQueuedDeliveries,
    int maxListeners,
    int maxAnswers,
    int maxExports,
    long maxOutboundBytesInAll) {

  public static final SessionLimits DEFAULT = new SessionLimits(10_000, 64L << 20, 1024, Duration.ofSeconds(30),
      Duration.ofSeconds(2), 10_000, 10_000, 100_000, 1_000_000, 512L << 20);

  public SessionLimits {
    if (maxOutstandingQuestions < 1) throw new IllegalArgumentException("maxOutstandingQuestions < 1");
    if (maxOutboundBytes < 1024) throw new IllegalArgumentException("maxOutboundBytes < 1024");
    if (maxQueuedInbound < 1) throw new IllegalArgumentException("maxQueuedInbound < 1");
    if (startTimeout.isNegative() || startTimeout.isZero()) throw new IllegalArgumentException("startTimeout");
    if (abortLinger.isNegative()) throw new IllegalArgumentException("abortLinger");
    if (maxQueuedDeliveries < 1) throw new IllegalArgumentException("maxQueuedDeliveries < 1");
    if (maxListeners < 1) throw new IllegalArgumentException("maxListeners < 1");
    if (maxAnswers < maxOutstandingQuestions) throw new IllegalArgumentException("maxAnswers < maxOutstandingQuestions");
    if (maxExports < 1) throw new IllegalArgumentException("maxExports < 1");
    if (maxOutboundBytesInAll < 1024) throw new IllegalArgumentException("maxOutboundBytesInAll < 1024");
  }

  public SessionLimits withMaxOutstandingQuestions(int n) {
    return new SessionLimits(n, maxOutboundBytes, maxQueuedInbound, startTimeout, abortLinger, maxQueuedDeliveries,
        maxListeners, Math.max(maxAnswers, n), maxExports, maxOutboundBytesInAll);
  }

  public SessionLimits withMaxOutboundBytes(long n) {
    return new SessionLimits(maxOutstandingQuestions, n, maxQueuedInbound, startTimeout, abortLinger,
        maxQueuedDeliveries, maxListeners, maxAnswers, maxExports, maxOutboundBytesInAll);
  }

  public SessionLimits withAbortLinger(Duration d) {
    return new SessionLimits(maxOutstandingQuestions, maxOutboundBytes, maxQueuedInbound, startTimeout, d,
        maxQueuedDeliveries, maxListeners, maxAnswers, maxExports, maxOutboundBytesInAll);
  }

  public SessionLimits withStartTimeout(Duration d) {
    return new SessionLimits(maxOutstandingQuestions, maxOutboundBytes, maxQueuedInbound, d, abortLinger,
        maxQueuedDeliveries, maxListeners, maxAnswers, maxExports, maxOutboundBytesInAll);
  }

  public SessionLimits withMaxQueuedDeliveries(int n) {
    return new SessionLimits(maxOutstandingQuestions, maxOutboundBytes, maxQueuedInbound, startTimeout, abortLinger, n,
        maxListeners, maxAnswers, maxExports, maxOutboundBytesInAll);
  }

  public SessionLimits withMaxListeners(int n) {
    return new SessionLimits(maxOutstandingQuestions, maxOutboundBytes, maxQueuedInbound, startTimeout, abortLinger,
        maxQueuedDeliveries, n, maxAnswers, maxExports, maxOutboundBytesInAll);
  }

  public SessionLimits withMaxAnswers(int n) {
    return new SessionLimits(maxOutstandingQuestions, maxOutboundBytes, maxQueuedInbound, startTimeout, abortLinger,
        maxQueuedDeliveries, maxListeners, n, maxExports, maxOutboundBytesInAll);
  }

  public SessionLimits withMaxExports(int n) {
    return new SessionLimits(maxOutstandingQuestions, maxOutboundBytes, maxQueuedInbound, startTimeout, abortLinger,
        maxQueuedDeliveries, maxListeners, maxAnswers, n, maxOutboundBytesInAll);
  }

  public SessionLimits withMaxOutboundBytesInAll(long n) {
    return new SessionLimits(maxOutstandingQuestions, maxOutboundBytes, maxQueuedInbound, startTimeout, abortLinger,
        maxQueuedDeliveries, maxListeners, maxAnswers, maxExports, n);
  }
}
