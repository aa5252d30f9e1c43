package io.capnet.unix;

/**
 * Bounds on what a unix connection accepts beside its frames. Defaults are in
 * {@code spec/limits.md}; a change here must change that document in the same commit.
 *
 * @param maxFdsPerFrame the most file descriptors one frame may carry, in either direction: a
 *     send with more is refused, a received frame declaring more ends the connection. At most
 *     {@link #MAX_FDS_PER_FRAME}: junixsocket's ancillary receive buffer holds 60 descriptors,
 *     and the limit has to stay below what a receiver can take without truncation.
 */
public record UnixLimits(int maxFdsPerFrame) {
  /** The highest {@code maxFdsPerFrame} that can be configured. */
  public static final int MAX_FDS_PER_FRAME = 59;

  /** The defaults in {@code spec/limits.md}. */
  public static final UnixLimits DEFAULT = new UnixLimits(16);

  public UnixLimits {
    if (maxFdsPerFrame < 0 || maxFdsPerFrame > MAX_FDS_PER_FRAME) {
      throw new IllegalArgumentException(
          "maxFdsPerFrame must be between 0 and " + MAX_FDS_PER_FRAME + ", was " + maxFdsPerFrame);
    }
  }

  public UnixLimits withMaxFdsPerFrame(int v) {
    return new UnixLimits(v);
  }
}
