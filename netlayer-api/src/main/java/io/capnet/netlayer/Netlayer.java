package io.capnet.netlayer;

import io.capnet.locator.PeerLocator;
import java.io.IOException;
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
   * Starts delivering incoming connections to {@code incoming}, each on its own thread.
   * Called once. A netlayer that only dials ignores it.
   */
  void accept(Consumer<Connection> incoming) throws IOException;

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
