package io.capnet.captp;

/**
 * Which of OCapN's two current spellings a peer emits for sends that want no answer and for GC.
 * Both are always accepted on input. See {@code spec/captp.md}, "Dialects".
 */
public enum Dialect {
  /** The current drafts: {@code <op:deliver to args false false>}, {@code op:gc-exports}, {@code op:gc-answers}. */
  DRAFT,
  /**
   * The earlier form, spoken by the OCapN test suite until February 2026:
   * {@code <op:deliver-only to args>}, {@code op:gc-export}, {@code op:gc-answer}.
   */
  LEGACY,
  /**
   * Learns the dialect from each session's peer, from the first message that only one dialect
   * has. Until then, sends that want no answer carry a resolver that ignores its answer (a form
   * both dialects read), and GC messages wait. For a peer that must talk to both, such as the
   * conformance peer.
   */
  ADAPTIVE
}
