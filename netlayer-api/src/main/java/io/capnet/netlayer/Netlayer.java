package io.capnet.netlayer;

import io.capnet.locator.PeerLocator;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A way to reach OCapN peers: turns a locator into a {@link Connection}, and accepts
 * connections from others. A netlayer is used by one {@code Peer}; its methods are thread-safe.
 */
public interface Netlayer extends AutoCloseable {
  /** The locator transport this netlayer serves, e.g. {@code "tcp-testing-only"}. */
  String transport();

  /** This netlayer's own locator: how others reach it. */
  PeerLocator locator();

  /**
   * Opens a connection to {@code remote}, whose transport must be {@link #transport()}.
   * Blocks until the transport is connected (not until a CapTP session is up).
   *
   * @throws IOException if the peer cannot be reached; the message names the cause
   */
  Connection connect(PeerLocator remote) throws IOException;

  /**
   * Opens a connection to {@code remote} without blocking {@code loop}: {@code done} runs in the
   * loop with the connection, or with the failure ({@link #connect}'s IOException, or a
   * RuntimeException). The connection is then {@link Connection#attach attached} to that loop
   * only. Netlayers over non-blocking channels dial (and handshake) in the loop itself; this
   * default calls {@link #connect} on a virtual thread of its own ({@code capnet-connect <uri>}).
   * Call from any thread.
   */
  default void connect(PeerLocator remote, EventLoop loop, BiConsumer<Connection, Throwable> done) {
    Thread.ofVirtual().name("capnet-connect " + remote.toUri()).start(() -> {
      Connection c;
      try {
        c = connect(remote);
      } catch (IOException | RuntimeException e) {
        try {
          loop.execute(() -> done.accept(null, e));
        } catch (RejectedExecutionException stopped) {
          // the loop is gone, and with it whoever waited
        }
        return;
      }
      try {
        loop.execute(() -> done.accept(c, null));
      } catch (RejectedExecutionException stopped) {
        try {
          c.close();
        } catch (IOException ignored) {
          // nobody will use it
        }
      }
    });
  }

  /**
   * Starts delivering incoming connections to {@code incoming}, each on its own thread, which
   * may block (e.g. in {@link Connection#receive()}). Called once. A netlayer that only dials
   * ignores it.
   */
  void accept(Consumer<Connection> incoming) throws IOException;

  /**
   * Like {@link #accept(Consumer)}, but {@code incoming} runs in {@code loop}, and each
   * connection is {@link Connection#attach attached} to that loop only (it may be bound to it
   * already: a tcp-tls handshake runs there). Called once, instead of {@link #accept(Consumer)}.
   * This default hands each connection of {@link #accept(Consumer)} over to the loop.
   */
  default void accept(EventLoop loop, Consumer<Connection> incoming) throws IOException {
    accept(c -> {
      try {
        loop.execute(() -> incoming.accept(c));
      } catch (RejectedExecutionException stopped) {
        try {
          c.close();
        } catch (IOException ignored) {
          // nobody will use it
        }
      }
    });
  }

  /**
   * The selector kind of this netlayer's channels, which the vat's own selector should be when
   * this is the peer's first netlayer; null when its connections have no selectable channel.
   */
  default java.nio.channels.spi.SelectorProvider selectorProvider() {
    return null;
  }

  /** Whether this netlayer can do {@code capability}, as junixsocket's {@code supports}. */
  boolean supports(NetlayerCapability capability);

  /** Stops accepting; open connections are closed by their sessions. */
  @Override
  void close() throws IOException;
}
