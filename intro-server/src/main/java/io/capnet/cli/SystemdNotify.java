package io.capnet.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * {@code sd_notify(3)} without libsystemd: one datagram to the AF_UNIX socket named by
 * {@code NOTIFY_SOCKET}. A {@code Type=notify} unit is "started" only on {@code READY=1}, so
 * units ordered after the Switchboard start once it really serves, not when its JVM forks.
 */
final class SystemdNotify {
  static final String VARIABLE = "NOTIFY_SOCKET";

  private final String socket; // null: not under a notifying service manager

  private SystemdNotify(String socket) {
    this.socket = socket;
  }

  /** From {@code NOTIFY_SOCKET}'s value, or null/empty for none. */
  static SystemdNotify of(String notifySocket) {
    return new SystemdNotify(notifySocket == null || notifySocket.isEmpty() ? null : notifySocket);
  }

  boolean enabled() {
    return socket != null;
  }

  /**
   * Sends {@code state} (e.g. {@code READY=1}) as one datagram; does nothing without a socket.
   *
   * @throws IOException naming the socket when it cannot be reached
   */
  void send(String state) throws IOException {
    if (socket == null) return;
    AFUNIXSocketAddress to = address(socket);
    try (AFUNIXDatagramChannel ch = AFUNIXDatagramChannel.open()) {
      ch.send(ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8)), to);
    } catch (IOException e) {
      throw new IOException(VARIABLE + "=" + socket + ": could not send " + state + ": " + e.getMessage(), e);
    }
  }

  /** {@code /path} is a file; {@code @name} is Linux's abstract namespace (a leading NUL byte). */
  static AFUNIXSocketAddress address(String socket) throws IOException {
    if (socket.startsWith("@")) {
      byte[] name = socket.substring(1).getBytes(StandardCharsets.UTF_8);
      byte[] raw = new byte[name.length + 1]; // raw[0] stays NUL
      System.arraycopy(name, 0, raw, 1, name.length);
      return AFUNIXSocketAddress.of(raw);
    }
    if (socket.startsWith("/")) return AFUNIXSocketAddress.of(Path.of(socket));
    throw new IOException(VARIABLE + "=" + socket + " is neither an absolute path nor @abstract-name"
        + " (other forms, e.g. vsock:, are not supported)");
  }
}
