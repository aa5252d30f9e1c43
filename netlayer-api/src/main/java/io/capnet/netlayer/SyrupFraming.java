package io.capnet.netlayer;

/**
 * How the {@code tcp-testing-only} netlayer delimits its Syrup messages on the stream. A listener
 * accepts all three, told apart by the connection's first bytes, and answers in the form the peer
 * used; a dialler uses the one it is given (see {@code spec/framing.md}).
 *
 * <pre>
 *   BARE_SYRUP       &lt;8'op:start-session ...&gt;&lt;10'op:deliver ...&gt;
 *   LENGTH_PREFIXED  53:&lt;8'op:start-session ...&gt;61:&lt;10'op:deliver ...&gt;
 *   NETSTRING        53:&lt;8'op:start-session ...&gt;,61:&lt;10'op:deliver ...&gt;,
 * </pre>
 */
public enum SyrupFraming {
  /** Values back to back, as the OCapN test suite and Goblins' tcp-testing-only speak. */
  BARE_SYRUP("bare Syrup"),
  /** Each message as a Syrup byte string: its length in decimal, {@code :}, the bytes; Endo's default. */
  LENGTH_PREFIXED("length-prefixed"),
  /** As {@link #LENGTH_PREFIXED}, with a {@code ,} after each message (ocapn issue #138). */
  NETSTRING("netstring");

  private final String description;

  SyrupFraming(String description) {
    this.description = description;
  }

  /** The name errors use, e.g. "length-prefixed". */
  public String description() {
    return description;
  }
}
