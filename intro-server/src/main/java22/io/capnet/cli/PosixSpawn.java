package io.capnet.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Map;

/**
 * glibc's posix_spawn through java.lang.foreign (final since Java 22, so this one class is
 * compiled for 22 and loaded only there): the JDK's ProcessBuilder closes every fd above 2 in
 * the child, and a sandboxed child must hold its handle socket as an inherited fd.
 */
@SuppressWarnings("restricted") // calling C is what this class is for; the CLI enables native access
final class PosixSpawn implements FdSpawn {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final MemoryLayout PTR = ValueLayout.ADDRESS;
  private static final StructLayout ERRNO = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO_VALUE =
      ERRNO.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final int F_DUPFD_CLOEXEC = 1030;
  private static final int EINTR = 4;
  private static final int POSIX_SPAWN_SETSIGDEF = 0x04;
  private static final int POSIX_SPAWN_SETSIGMASK = 0x08;
  // Larger than glibc's posix_spawn_file_actions_t (80 bytes), posix_spawnattr_t (336) and sigset_t (128).
  private static final long OPAQUE_BYTES = 1024;

  private static final MethodHandle FA_INIT = fn("posix_spawn_file_actions_init", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle FA_DESTROY = fn("posix_spawn_file_actions_destroy", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle FA_DUP2 = fn("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(INT, PTR, INT, INT));
  private static final MethodHandle FA_CLOSEFROM = fn("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(INT, PTR, INT));
  private static final MethodHandle ATTR_INIT = fn("posix_spawnattr_init", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle ATTR_DESTROY = fn("posix_spawnattr_destroy", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle ATTR_FLAGS = fn("posix_spawnattr_setflags", FunctionDescriptor.of(INT, PTR, ValueLayout.JAVA_SHORT));
  private static final MethodHandle ATTR_SIGMASK = fn("posix_spawnattr_setsigmask", FunctionDescriptor.of(INT, PTR, PTR));
  private static final MethodHandle ATTR_SIGDEFAULT = fn("posix_spawnattr_setsigdefault", FunctionDescriptor.of(INT, PTR, PTR));
  private static final MethodHandle SIGEMPTYSET = fn("sigemptyset", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle SIGFILLSET = fn("sigfillset", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle SPAWN = fn("posix_spawn", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, PTR));
  private static final MethodHandle FCNTL = LINKER.downcallHandle(symbol("fcntl"),
      FunctionDescriptor.of(INT, INT, INT, INT), Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
  private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(INT, INT));
  private static final MethodHandle WAITPID = LINKER.downcallHandle(symbol("waitpid"),
      FunctionDescriptor.of(INT, INT, PTR, INT), Linker.Option.captureCallState("errno"));
  private static final MethodHandle STRERROR = fn("strerror", FunctionDescriptor.of(PTR, INT));

  PosixSpawn() {}

  private static MemorySegment symbol(String name) {
    return LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException(
        "this C library has no " + name + " (capnet run --sandbox needs glibc 2.34 or newer)"));
  }

  private static MethodHandle fn(String name, FunctionDescriptor d) {
    return LINKER.downcallHandle(symbol(name), d);
  }

  @Override
  public Child spawn(String path, List<String> argv, Map<String, String> env, int fd) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = arena.allocate(ERRNO);
      // A CLOEXEC copy above 3, so dup2 onto 3 always makes a fresh, inheritable fd 3.
      int copy = (int) FCNTL.invokeExact(errno, fd, F_DUPFD_CLOEXEC, 10);
      if (copy < 0) throw new IOException("cannot copy fd " + fd + ": " + error((int) ERRNO_VALUE.get(errno, 0L)));
      MemorySegment actions = arena.allocate(OPAQUE_BYTES, 16);
      MemorySegment attr = arena.allocate(OPAQUE_BYTES, 16);
      MemorySegment sigset = arena.allocate(OPAQUE_BYTES, 16);
      check((int) FA_INIT.invokeExact(actions), "posix_spawn_file_actions_init");
      check((int) ATTR_INIT.invokeExact(attr), "posix_spawnattr_init");
      try {
        check((int) FA_DUP2.invokeExact(actions, copy, 3), "posix_spawn_file_actions_adddup2");
        // Whatever else this JVM holds without CLOEXEC (its own daemon connection) stays out.
        check((int) FA_CLOSEFROM.invokeExact(actions, 4), "posix_spawn_file_actions_addclosefrom_np");
        check((int) SIGEMPTYSET.invokeExact(sigset), "sigemptyset");
        check((int) ATTR_SIGMASK.invokeExact(attr, sigset), "posix_spawnattr_setsigmask");
        check((int) SIGFILLSET.invokeExact(sigset), "sigfillset");
        check((int) ATTR_SIGDEFAULT.invokeExact(attr, sigset), "posix_spawnattr_setsigdefault");
        check((int) ATTR_FLAGS.invokeExact(attr, (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)),
            "posix_spawnattr_setflags");
        MemorySegment pid = arena.allocate(INT);
        int rc = (int) SPAWN.invokeExact(pid, arena.allocateFrom(path), actions, attr,
            strings(arena, argv), strings(arena, env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        if (rc != 0) throw new IOException("cannot start " + path + ": " + error(rc));
        return new Spawned(pid.get(INT, 0));
      } finally {
        int ignored1 = (int) FA_DESTROY.invokeExact(actions);
        int ignored2 = (int) ATTR_DESTROY.invokeExact(attr);
        int ignored3 = (int) CLOSE.invokeExact(copy);
      }
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("posix_spawn failed", t);
    }
  }

  private static MemorySegment strings(Arena arena, List<String> values) {
    MemorySegment array = arena.allocate(PTR, values.size() + 1L);
    for (int i = 0; i < values.size(); i++) array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(values.get(i)));
    array.setAtIndex(ValueLayout.ADDRESS, values.size(), MemorySegment.NULL);
    return array;
  }

  private static void check(int rc, String call) throws IOException {
    if (rc != 0) throw new IOException(call + " failed: " + error(rc));
  }

  private static String error(int errno) {
    try {
      MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
      return s.reinterpret(256).getString(0);
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }

  private record Spawned(int pid) implements Child {
    @Override
    public long processId() {
      return pid;
    }

    @Override
    public int waitFor() throws IOException {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment status = arena.allocate(INT);
        MemorySegment errno = arena.allocate(ERRNO);
        while (true) {
          int rc = (int) WAITPID.invokeExact(errno, pid, status, 0);
          if (rc == pid) break;
          int e = (int) ERRNO_VALUE.get(errno, 0L);
          if (rc < 0 && e != EINTR) throw new IOException("waitpid " + pid + ": " + error(e));
        }
        int s = status.get(INT, 0);
        // WIFEXITED: the low 7 bits are 0; else they are the signal, reported as a shell does.
        return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Throwable t) {
        throw new IOException("waitpid failed", t);
      }
    }
  }
}
