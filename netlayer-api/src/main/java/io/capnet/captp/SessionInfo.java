package io.capnet.captp;

import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.PeerCredentials;
import io.capnet.value.Bytes;
import java.util.Optional;

/**
 * The session a message arrived on, as {@link Peer#caller()} reports it to a handler. Servers
 * that answer to the transport's facts (the Switchboard labels callers by their peer
 * credentials) read them here.
 */
public interface SessionInfo {
  /** The location the peer announced in its {@code op:start-session}. */
  PeerLocator remote();

  /** The session id both sides derive from their session keys; unique per session. */
  Bytes sessionId();

  /** The kernel's word on the peer process, for a local socket. */
  default Optional<PeerCredentials> peerCredentials() {
    return connection().peerCredentials();
  }

  /** The transport under the session, for netlayer-specific facts; do not read or write it. */
  Connection connection();
}
