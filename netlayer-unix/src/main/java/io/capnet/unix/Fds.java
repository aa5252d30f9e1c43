package io.capnet.unix;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;

/** Closing raw file descriptors, for the ones no {@link io.capnet.value.Descriptor} owns yet. */
final class Fds {
  private Fds() {}

  /**
   * Closes {@code fd} and marks it invalid. Going through {@link FileDescriptor}'s own close (not
   * a bare close(2) on the number) also runs what junixsocket attached to it, so a received fd
   * stops being tracked by its carrier socket, which would otherwise close the number again when
   * the carrier closes, by then possibly someone else's file.
   */
  static void close(FileDescriptor fd) {
    if (fd == null || !fd.valid()) return;
    try {
      new FileInputStream(fd).close();
    } catch (IOException e) {
      // close(2) releases the descriptor even when it reports an error; nothing is left to do.
    }
  }

  static void closeAll(FileDescriptor[] fds) {
    if (fds == null) return;
    for (FileDescriptor fd : fds) close(fd);
  }

  static String count(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
