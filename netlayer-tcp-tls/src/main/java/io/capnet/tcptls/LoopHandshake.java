package io.capnet.tcptls;

import io.capnet.netlayer.EventLoop;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntConsumer;

/**
 * A TCP connect (when dialling) and a TLS handshake run in the vat's loop, driven by the
 * channel's readiness: no thread of its own, so a silent or slow peer costs its buffers and a
 * timer, never a thread, and holds up no one else. The connect and the handshake each have a
 * deadline, a loop timer. Delegated tasks (certificate checks, signatures) run inline.
 *
 * <pre>
 *   [OP_CONNECT -> finishConnect] -> beginHandshake -> advance on OP_READ / OP_WRITE -> DONE
 *   DONE: the registration stays, with no interest, for the TlsLink that adopts it
 * </pre>
 *
 * Every method but {@link #close()} runs in the loop.
 */
final class LoopHandshake implements Closeable {
  /** The registration's callback, pointed at whoever drives the channel now. */
  static final class Relay implements IntConsumer {
    IntConsumer target; // loop-confined

    @Override
    public void accept(int ops) {
      if (target != null) target.accept(ops);
    }
  }

  /** A finished handshake's place in its loop, for the link that takes the channel over. */
  record Handoff(EventLoop loop, EventLoop.Registration registration, Relay relay) {}

  /** Told once, in the loop, how it ended. */
  interface Outcome {
    void handshaken(Handoff handoff);

    /** @param connecting whether the TCP connect failed (else the handshake did) */
    void failed(Exception cause, boolean connecting);
  }

  private final EventLoop loop;
  private final EngineChannel tls;
  private final long connectMillis;
  private final long handshakeMillis;
  private final Outcome outcome;
  private final Relay relay = new Relay();
  private EventLoop.Registration registration;
  private EventLoop.Cancellable deadline;
  private boolean connecting;
  private boolean over;

  /**
   * @param connecting whether the channel's connect is still in progress
   * @param connectMillis the connect's deadline, when {@code connecting}
   */
  LoopHandshake(EventLoop loop, EngineChannel tls, boolean connecting, long connectMillis, long handshakeMillis,
      Outcome outcome) {
    this.loop = loop;
    this.tls = tls;
    this.connecting = connecting;
    this.connectMillis = connectMillis;
    this.handshakeMillis = handshakeMillis;
    this.outcome = outcome;
  }

  /** Registers the (non-blocking) channel and starts; in the loop. */
  void start() {
    try {
      relay.target = this::ready;
      registration = loop.register(tls.channel, connecting ? SelectionKey.OP_CONNECT : SelectionKey.OP_READ, relay);
    } catch (IOException | RuntimeException e) {
      fail(e);
      return;
    }
    if (connecting) {
      deadline = loop.schedule(connectMillis, () -> fail(new SocketTimeoutException("Connect timed out")));
    } else {
      beginHandshake();
    }
  }

  private void ready(int ops) {
    if (over) return;
    if (connecting) {
      try {
        if (!tls.channel.finishConnect()) return;
      } catch (IOException | RuntimeException e) {
        fail(e);
        return;
      }
      connecting = false;
      deadline.cancel();
      beginHandshake();
      return;
    }
    advance();
  }

  private void beginHandshake() {
    deadline = loop.schedule(handshakeMillis, () -> fail(new TcpTlsNetlayer.HandshakeTimeoutException(handshakeMillis, null)));
    try {
      tls.engine.beginHandshake();
    } catch (IOException | RuntimeException e) {
      fail(e);
      return;
    }
    advance();
  }

  private void advance() {
    EngineChannel.Wait wait;
    try {
      wait = tls.advanceHandshake();
    } catch (IOException | RuntimeException e) {
      fail(e);
      return;
    }
    switch (wait) {
      case READ -> registration.interestOps(SelectionKey.OP_READ);
      case WRITE -> registration.interestOps(SelectionKey.OP_WRITE);
      case DONE -> {
        over = true;
        deadline.cancel();
        relay.target = null;
        registration.interestOps(0);
        outcome.handshaken(new Handoff(loop, registration, relay));
      }
    }
  }

  private void fail(Exception cause) {
    if (over) return;
    over = true;
    if (deadline != null) deadline.cancel();
    closeChannel();
    outcome.failed(cause, connecting);
  }

  private void closeChannel() {
    try {
      tls.channel.close(); // cancels the registration too
    } catch (IOException e) {
      // closing after a failure; nothing more to do
    }
  }

  /** From any thread: the netlayer is closing. The channel closes now; the outcome follows in the loop. */
  @Override
  public void close() {
    closeChannel();
    try {
      loop.execute(() -> fail(new IOException("the netlayer is closed")));
    } catch (RejectedExecutionException stopped) {
      // the loop is gone: nobody waits for the outcome
    }
  }
}
