package io.capnet.tcptls;

import io.capnet.codec.Codec;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Connections;
import io.capnet.netlayer.EventLoop;
import io.capnet.netlayer.Link;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Length-prefixed CBOR frames over a handshaken {@link EngineChannel}, with the peer's proven
 * designator. A session {@link #attach attaches} it to its vat's loop ({@link TlsLink}); the
 * blocking {@code receive}/{@code send} serve everything else.
 *
 * <p>Closing sends TLS close_notify when it can, but never waits for it long: a blocking writer
 * stuck on a peer that does not read would hold it forever. So a close while a write is in
 * progress, or a close_notify not written within {@link #CLOSE_NOTIFY_MILLIS}, just closes the
 * TCP socket under TLS, which unblocks both.
 */
final class TlsConnection implements Connection {
  static final long CLOSE_NOTIFY_MILLIS = 500;

  private final EngineChannel tls;
  private final Connection frames;
  private final Codec codec;
  private final String description;
  private final String peerDesignator;
  private final AtomicInteger writers = new AtomicInteger();
  private final AtomicInteger readers = new AtomicInteger();
  private final LoopHandshake.Handoff handoff;

  /** @param handoff set when the handshake ran in a loop: the connection is bound to that loop */
  TlsConnection(EngineChannel tls, Codec codec, String description, String peerDesignator,
      LoopHandshake.Handoff handoff) {
    this.tls = tls;
    this.handoff = handoff;
    this.codec = codec;
    this.description = description;
    this.peerDesignator = peerDesignator;
    this.frames = Connections.lengthPrefixed(tls.inputStream(), tls.outputStream(), this::closeSockets, codec,
        description);
  }

  @Override
  public Codec codec() {
    return frames.codec();
  }

  @Override
  public Object receive() throws IOException {
    checkBlocking();
    readers.incrementAndGet();
    try {
      return frames.receive();
    } finally {
      readers.decrementAndGet();
    }
  }

  @Override
  public void send(byte[] message, List<Descriptor> descriptors) throws IOException {
    checkBlocking();
    writers.incrementAndGet();
    try {
      frames.send(message, descriptors);
    } finally {
      writers.decrementAndGet();
    }
  }

  @Override
  public void flush() throws IOException {
    checkBlocking();
    writers.incrementAndGet();
    try {
      frames.flush();
    } finally {
      writers.decrementAndGet();
    }
  }

  private void checkBlocking() {
    if (handoff != null) {
      throw new IllegalStateException(description + " was handshaken in an event loop: attach it there");
    }
  }

  /** The engine moves onto the loop: TLS records are sealed and opened there, with no thread. */
  @Override
  public Link attach(EventLoop loop, Link.Receiver receiver) throws IOException {
    // A receive that returned leaves no bytes behind outside the engine's buffers (the frames
    // are read exactly), so a connection whose first message was read (federation) can move too.
    if (readers.get() > 0 || writers.get() > 0) {
      throw new IllegalStateException(description + ": attach while a receive or send is in progress");
    }
    return TlsLink.open(loop, tls, receiver, codec, description, handoff);
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
    return description;
  }

  /** Closes once (the frames connection calls {@link #closeSockets()} once). */
  @Override
  public void close() throws IOException {
    frames.close();
  }

  private void closeSockets() throws IOException {
    if (writers.get() > 0 || !tls.channel.isBlocking()) {
      tls.channel.close(); // a writer is in the channel: no close_notify can be sent
      return;
    }
    Thread watchdog = Thread.ofVirtual().name("capnet-tcp-tls-close").start(() -> {
      try {
        Thread.sleep(CLOSE_NOTIFY_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      closeQuietly();
    });
    try {
      tls.closeOutbound();
      if (readers.get() == 0) tls.drainWithoutBlocking(); // nobody reads: input left would reset the peer
    } finally {
      watchdog.interrupt();
      tls.channel.close();
    }
  }

  private void closeQuietly() {
    try {
      tls.channel.close();
    } catch (IOException ignored) {
      // closing in any case
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
