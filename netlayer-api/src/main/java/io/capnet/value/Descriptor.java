package io.capnet.value;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Capnet's Descriptor value: an open file descriptor. It crosses only a netlayer that can pass
 * descriptors (the unix netlayer). The holder owns the descriptor and must {@link #close()} it
 * or hand it on. Descriptors compare by identity: two open fds are never "the same value".
 */
public final class Descriptor implements AutoCloseable {
  private final FileDescriptor fd;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Descriptor(FileDescriptor fd) {
    this.fd = Objects.requireNonNull(fd, "fd");
  }

  /** Takes ownership of {@code fd}. */
  public static Descriptor adopt(FileDescriptor fd) {
    if (!fd.valid()) {
      throw new IllegalArgumentException("file descriptor is not valid");
    }
    return new Descriptor(fd);
  }

  public FileDescriptor fileDescriptor() {
    if (closed.get()) {
      throw new IllegalStateException("descriptor is closed");
    }
    return fd;
  }

  public boolean isOpen() {
    return !closed.get() && fd.valid();
  }

  /** Closes the descriptor once; later calls do nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        new FileInputStream(fd).close();
      } catch (IOException e) {
        throw new UncheckedIOException("closing descriptor", e);
      }
    }
  }

  /**
   * Closes every Descriptor inside {@code value}, however deep: for a message that will never
   * be delivered or sent, whose descriptors nobody else will close. Iterative, so no nesting
   * the codecs allow can overflow the stack.
   */
  public static void closeAllIn(Object value) {
    java.util.ArrayDeque<Object> todo = new java.util.ArrayDeque<>();
    if (value != null) todo.push(value);
    while (!todo.isEmpty()) {
      Object v = todo.pop();
      if (v instanceof Descriptor d) {
        try {
          d.close();
        } catch (RuntimeException e) {
          // already closed elsewhere; nothing is left to release
        }
      } else if (v instanceof java.util.Collection<?> c) {
        for (Object o : c) if (o != null) todo.push(o);
      } else if (v instanceof java.util.Map<?, ?> m) {
        for (Object o : m.values()) if (o != null) todo.push(o);
      } else if (v instanceof Record r) {
        for (int i = 0; i < r.size(); i++) if (r.field(i) != null) todo.push(r.field(i));
      } else if (v instanceof Tagged t) {
        if (t.value() != null) todo.push(t.value());
      }
    }
  }

  @Override
  public String toString() {
    return closed.get() ? "#<descriptor closed>" : "#<descriptor>";
  }
}
