package io.capnet.cli;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Starts a process that inherits one socket as its fd 3, which ProcessBuilder cannot do (the JDK
 * closes every fd above 2 in a child). Implemented by {@code PosixSpawn}, which needs
 * java.lang.foreign and so Java 22; on Java 21 {@link #load} says so.
 */
interface FdSpawn {
  /**
   * Starts {@code path} with {@code argv} and exactly {@code env}; the child's fd 3 is a copy of
   * {@code fd}, its fds 0 to 2 are this process's, and it holds no other fd of this process.
   */
  Child spawn(String path, List<String> argv, Map<String, String> env, int fd) throws IOException;

  /** A started process, waited for by the thread that started it. */
  interface Child {
    long processId();

    /** Waits for the exit: its code, or 128 plus the signal that ended it. */
    int waitFor() throws IOException;
  }

  /** The implementation, or an exception that says what this runtime lacks. */
  static FdSpawn load() throws IOException {
    int feature = Runtime.version().feature();
    if (feature < 22) {
      throw new IOException("passing a handle fd needs Java 22 or newer (java.lang.foreign); this is Java " + feature);
    }
    try {
      return (FdSpawn) Class.forName("io.capnet.cli.PosixSpawn").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError | UnsupportedOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException("cannot load posix_spawn: " + cause.getMessage(), e);
    }
  }
}
