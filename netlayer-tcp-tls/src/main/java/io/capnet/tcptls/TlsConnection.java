package io.capnet.tcptls;

import io.capnet.codec.Codec;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Connections;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;

/**
 * Length-prefixed CBOR frames over an established SSLSocket, with the peer's proven designator.
 *
 * <p>Closing sends TLS close_notify when it can, but never waits for it long: SunJSSE's close
 * takes the socket's write lock, which a writer blocked on a peer that does not read holds
 * forever. So a close while a write is in progress, or a close_notify not written within
 * {@link #CLOSE_NOTIFY_MILLIS}, closes the TCP socket under TLS instead, which unblocks both.
 */
final class TlsConnection implements Connection {
  static final long CLOSE_NOTIFY_MILLIS = 500;

  private final SSLSocket ssl;
  private final Socket plain;
  private final Connection frames;
  private final String peerDesignator;
  private final AtomicInteger writers = new AtomicInteger();

  TlsConnection(SSLSocket ssl, Socket plain, Codec codec, String description, String peerDesignator)
      throws IOException {
    this.ssl = ssl;
    this.plain = plain;
    this.peerDesignator = peerDesignator;
    this.frames = Connections.lengthPrefixed(ssl.getInputStream(), ssl.getOutputStream(), this::closeSockets,
        codec, description);
  }

  @Override
  public Codec codec() {
    return frames.codec();
  }

  @Override
  public Object receive() throws IOException {
    return frames.receive();
  }

  @Override
  public void send(byte[] message, List<Descriptor> descriptors) throws IOException {
    writers.incrementAndGet();
    try {
      frames.send(message, descriptors);
    } finally {
      writers.decrementAndGet();
    }
  }

  @Override
  public void flush() throws IOException {
    writers.incrementAndGet();
    try {
      frames.flush();
    } finally {
      writers.decrementAndGet();
    }
  }

  @Override
  public boolean supports(NetlayerCapability capability) {
    return capability == NetlayerCapability.AUTHENTICATED_PEER;
  }

  @Override
  public Optional<String> authenticatedDesignator() {
    return Optional.of(peerDesignator);
  }

  @Override
  public String description() {
    return frames.description();
  }

  /** Closes once (the frames connection calls {@link #closeSockets()} once). */
  @Override
  public void close() throws IOException {
    frames.close();
  }

  private void closeSockets() throws IOException {
    if (writers.get() > 0) {
      plain.close(); // a writer holds SunJSSE's write lock: no close_notify can be sent
      closeQuietly(ssl);
      return;
    }
    Thread watchdog = Thread.ofVirtual().name("capnet-tcp-tls-close").start(() -> {
      try {
        Thread.sleep(CLOSE_NOTIFY_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      closeQuietly(plain);
    });
    try {
      closeQuietly(ssl); // close_notify, then the TCP socket (autoClose)
    } finally {
      watchdog.interrupt();
      plain.close();
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // the TCP socket is closed after it in any case
    }
  }

  @Override
  public String toString() {
    return frames.description();
  }
}
