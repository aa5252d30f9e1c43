package io.capnet.netlayer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded one-way byte pipe whose either end can be closed from any thread, unblocking the
 * other. PipedInputStream does neither reliably: its reader ignores its own close while blocked
 * and reports "write end dead" when the writing thread exits.
 */
final class BytePipe {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final byte[] buf;
  private int head;
  private int count;
  private boolean writerClosed;
  private boolean readerClosed;

  BytePipe(int capacity) {
    buf = new byte[capacity];
  }

  /** Returns whatever is buffered, up to {@code len}; -1 once the writer closed and all is read. */
  private int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) return 0;
    lock.lock();
    try {
      while (count == 0 && !writerClosed && !readerClosed) await();
      if (readerClosed) throw new IOException("pipe closed");
      if (count == 0) return -1;
      int n = Math.min(len, Math.min(count, buf.length - head));
      System.arraycopy(buf, head, b, off, n);
      head = (head + n) % buf.length;
      count -= n;
      changed.signalAll();
      return n;
    } finally {
      lock.unlock();
    }
  }

  private void write(int b) throws IOException {
    lock.lock();
    try {
      while (count == buf.length && !writerClosed && !readerClosed) await();
      if (writerClosed || readerClosed) throw new IOException("pipe closed");
      buf[(head + count) % buf.length] = (byte) b;
      count++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void await() throws InterruptedIOException {
    try {
      changed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException();
    }
  }

  /** The reader sees end of stream after what was written. */
  void closeWriter() {
    setClosed(true);
  }

  /** Blocked and later reads and writes fail. */
  void closeReader() {
    setClosed(false);
  }

  private void setClosed(boolean writer) {
    lock.lock();
    try {
      if (writer) writerClosed = true;
      else readerClosed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  InputStream input() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return BytePipe.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return BytePipe.this.read(b, off, len);
      }

      @Override
      public void close() {
        closeReader();
      }
    };
  }

  OutputStream output() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        BytePipe.this.write(b);
      }

      @Override
      public void close() {
        closeWriter();
      }
    };
  }

  /** An InputStream that returns at most one byte per read call. */
  static InputStream oneByteAtATime(InputStream in) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return len == 0 ? 0 : in.read(b, off, 1);
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  /** An OutputStream that writes and flushes one byte at a time, however much it is given. */
  static OutputStream oneByteAtATime(OutputStream out) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
        out.flush();
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        for (int i = 0; i < len; i++) write(b[off + i]);
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }
}
