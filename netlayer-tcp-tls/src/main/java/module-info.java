/**
 * Capnet's tcp-tls netlayer: mutual TLS 1.3 over TCP, where a peer's designator is its Ed25519
 * public key. Only the API package is exported; the implementation is package-private.
 */
module io.capnet.tcptls {
  requires transitive io.capnet.api;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.provider;

  exports io.capnet.tcptls;
}
