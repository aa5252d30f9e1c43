/**
 * Capnet's unix netlayer: CBOR frames over AF_UNIX sockets with file descriptors passed by
 * SCM_RIGHTS, peers that meet through Switchboards, and the Switchboard client. Only the API
 * package is exported; the implementation is package-private.
 */
module io.capnet.unix {
  requires transitive io.capnet.api;
  // UnixSocket.channel() and UnixSockets.adopt(...) take and give junixsocket's channel.
  requires transitive org.newsclub.net.unix;
  requires com.fasterxml.jackson.core;

  exports io.capnet.unix;
}
