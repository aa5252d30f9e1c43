package io.capnet.unix;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.newsclub.net.unix.AFSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * Sizes the buffer junixsocket receives SCM_RIGHTS into.
 *
 * <p>junixsocket 2.11.1 caps the buffer at 256 bytes whatever size is asked for, which holds 60
 * descriptors. When a peer sends more in one message the kernel installs the first 60 in this
 * process and sets MSG_CTRUNC; junixsocket then throws "No buffer space available" without
 * reporting them, so they leak, and a peer that repeats this can exhaust the fd table. A buffer
 * sized for Linux's per-message maximum (SCM_MAX_FD, 253) never truncates: every descriptor
 * arrives, is counted against its frame, and is closed when refused.
 *
 * <p>junixsocket has no public way to get that size, so this reaches its package-private setter
 * by reflection. That works wherever junixsocket is not a sealed named module (the class path,
 * and the shaded {@code capnet.jar}); elsewhere, or if a later junixsocket renames the members,
 * it falls back to the public 256-byte setting and {@link #WIDE} is false.
 */
final class AncillaryBuffers {
  private AncillaryBuffers() {}

  /** Linux's SCM_MAX_FD: the most descriptors one sendmsg can carry. */
  static final int KERNEL_MAX_FDS = 253;

  /** What junixsocket's public setting holds (trap 5 in the junixsocket notes). */
  static final int NARROW_MAX_FDS = 60;

  // CMSG_SPACE(253 * 4) on LP64: a 16-byte cmsghdr, then the ints, padded to 8.
  private static final int WIDE_BYTES = 16 + ((KERNEL_MAX_FDS * 4 + 7) & ~7);
  private static final int NARROW_BYTES = 256;

  private static final Method GET_CORE;
  private static final Field ANCILLARY;
  private static final Method SET_SIZE;

  /** Whether the wide buffer can be installed in this runtime. */
  static final boolean WIDE;

  static {
    Method getCore = null;
    Field ancillary = null;
    Method setSize = null;
    try {
      getCore = AFSocketChannel.class.getDeclaredMethod("getAFCore");
      getCore.setAccessible(true);
      ancillary = Class.forName("org.newsclub.net.unix.AFCore").getDeclaredField("ancillaryDataSupport");
      ancillary.setAccessible(true);
      setSize = Class.forName("org.newsclub.net.unix.AncillaryDataSupport")
          .getDeclaredMethod("setAncillaryReceiveBufferSize0", int.class);
      setSize.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      getCore = null;
    }
    GET_CORE = getCore;
    ANCILLARY = ancillary;
    SET_SIZE = setSize;
    WIDE = getCore != null;
  }

  /**
   * Prepares {@code channel} to receive descriptors (without this, junixsocket silently drops
   * them: the buffer defaults to 0) and returns the most one read can take without truncation.
   *
   * @param wide false to keep junixsocket's public 256-byte buffer (for tests of that path)
   */
  static int prepare(AFUNIXSocketChannel channel, boolean wide) {
    if (wide && WIDE) {
      try {
        SET_SIZE.invoke(ANCILLARY.get(GET_CORE.invoke(channel)), WIDE_BYTES);
        if (channel.getAncillaryReceiveBufferSize() == WIDE_BYTES) return KERNEL_MAX_FDS;
      } catch (ReflectiveOperationException | RuntimeException e) {
        // fall through to the public setting
      }
    }
    channel.setAncillaryReceiveBufferSize(NARROW_BYTES);
    return NARROW_MAX_FDS;
  }
}
