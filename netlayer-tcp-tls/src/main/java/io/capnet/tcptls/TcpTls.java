package io.capnet.tcptls;

import io.capnet.locator.Designators;
import io.capnet.netlayer.Netlayer;
import java.io.IOException;
import java.util.Objects;

/**
 * The tcp-tls netlayer: CapTP over mutual TLS 1.3 on TCP, where each peer's designator is its
 * Ed25519 public key, so a locator is enough to authenticate the peer it names.
 *
 * <pre>{@code
 * TlsIdentity me = TlsIdentity.load(Path.of("me.key"));   // or TlsIdentity.generate()
 * try (Peer peer = Peer.builder().netlayer(TcpTls.netlayer(me, "0.0.0.0", 7000)).build()) {
 *   peer.locator();  // ocapn://<designator>.tcp-tls?host=0.0.0.0&port=7000
 * }
 * }</pre>
 *
 * See {@code spec/tcp-tls.md} for the wire rules.
 */
public final class TcpTls {
  /** The locator transport, {@code "tcp-tls"}. */
  public static final String TRANSPORT = "tcp-tls";

  private TcpTls() {}

  /** {@link #netlayer(TlsIdentity, String, int, TcpTlsOptions)} with {@link TcpTlsOptions#DEFAULT}. */
  public static Netlayer netlayer(TlsIdentity identity, String host, int port) throws IOException {
    return netlayer(identity, host, port, TcpTlsOptions.DEFAULT);
  }

  /**
   * A tcp-tls netlayer for {@code identity}, listening on {@code host:port} from the moment it
   * returns. Its locator is {@code ocapn://<designator>.tcp-tls?host=H&port=P}, with H the bound
   * address as a literal and P the bound port. Its connections authenticate their peer
   * ({@link io.capnet.netlayer.NetlayerCapability#AUTHENTICATED_PEER}).
   *
   * @param port the port to listen on, or 0 for an ephemeral one
   * @throws IOException if it cannot listen there
   */
  public static Netlayer netlayer(TlsIdentity identity, String host, int port, TcpTlsOptions options)
      throws IOException {
    return new TcpTlsNetlayer(identity, host, port, options);
  }

  /** The designator of a raw 32-byte Ed25519 public key: its lowercase base32, no padding. */
  public static String designator(byte[] rawPublicKey) {
    Objects.requireNonNull(rawPublicKey, "rawPublicKey");
    if (rawPublicKey.length != 32) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, got " + rawPublicKey.length);
    }
    return Designators.base32(rawPublicKey);
  }

  /**
   * The raw 32-byte public key a designator names.
   *
   * @throws IllegalArgumentException if {@code designator} is not the canonical encoding of 32
   *     bytes; the message names the fault
   */
  public static byte[] publicKey(String designator) {
    return Designators.ed25519Key(Objects.requireNonNull(designator, "designator"));
  }
}
