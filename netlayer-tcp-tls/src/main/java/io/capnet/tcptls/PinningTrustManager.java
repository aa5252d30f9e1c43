package io.capnet.tcptls;

import io.capnet.locator.Designators;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust without certificate authorities: a certificate is only a carrier for an Ed25519 key, and
 * TLS's CertificateVerify proves the peer holds its private half. A dialler pins the key its
 * locator's designator names; a listener accepts any single Ed25519 certificate and learns the
 * client's designator from it. Expiry, names and issuers are not looked at.
 *
 * <p>A dialling context is shared by all dials of a netlayer (a context's first handshakes are
 * costly), so the key each dial expects is registered for its socket with {@link #pin} and
 * looked up by the socket the JDK passes in; a socket with no pin is refused.
 */
final class PinningTrustManager extends X509ExtendedTrustManager {
  /** Each dialling socket's expected server key; null on the listening side. */
  private final Map<Object, byte[]> pins;
  /** For tests that build their own context: the one key every server must have. */
  private final byte[] only;

  private PinningTrustManager(Map<Object, byte[]> pins, byte[] only) {
    this.pins = pins;
    this.only = only;
  }

  /** For a listener: any client that shows one Ed25519 certificate. */
  static PinningTrustManager forClients() {
    return new PinningTrustManager(null, null);
  }

  /** For a netlayer's dials: each server must have the key {@link #pin pinned} for its socket. */
  static PinningTrustManager forDials() {
    return new PinningTrustManager(new ConcurrentHashMap<>(), null);
  }

  /** For a context that dials one designator only: the server's key must be {@code expected}. */
  static PinningTrustManager pinning(byte[] expected) {
    return new PinningTrustManager(new ConcurrentHashMap<>(), expected.clone());
  }

  /** Expects {@code key} from the server at the other end of {@code socket}, until {@link #unpin}. */
  void pin(Object socket, byte[] key) {
    pins.put(socket, key.clone());
  }

  void unpin(Object socket) {
    pins.remove(socket);
  }

  /** A server's key is not the one the dialled locator names. */
  static final class KeyMismatchException extends CertificateException {
    private static final long serialVersionUID = 1L;
    final String actual;

    KeyMismatchException(String expected, String actual) {
      super("the server's key is designator " + actual + ", not the dialled designator " + expected);
      this.actual = actual;
    }
  }

  /** The raw Ed25519 key of a peer's chain, which must be one certificate. */
  static byte[] keyOf(X509Certificate[] chain, String who) throws CertificateException {
    if (chain == null || chain.length == 0) throw new CertificateException("the " + who + " sent no certificate");
    if (chain.length != 1) {
      throw new CertificateException("the " + who + " sent " + chain.length
          + " certificates; tcp-tls expects one self-signed Ed25519 certificate");
    }
    try {
      return TlsIdentity.rawKey(chain[0].getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateException("the " + who + "'s certificate key is "
          + chain[0].getPublicKey().getAlgorithm() + "; tcp-tls needs an Ed25519 key", e);
    }
  }

  private void checkClient(X509Certificate[] chain) throws CertificateException {
    if (pins != null) throw new CertificateException("a dialling context does not accept clients");
    keyOf(chain, "client");
  }

  private void checkServer(X509Certificate[] chain, Object socket) throws CertificateException {
    if (pins == null) throw new CertificateException("a listening context does not dial");
    byte[] expected = only != null ? only : socket == null ? null : pins.get(socket);
    if (expected == null) throw new CertificateException("no designator was pinned for this connection");
    byte[] key = keyOf(chain, "server");
    if (!Arrays.equals(key, expected)) {
      throw new KeyMismatchException(Designators.base32(expected), Designators.base32(key));
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkClient(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkClient(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkClient(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkServer(chain, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkServer(chain, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkServer(chain, null);
  }

  /** None: a CertificateRequest names no authorities, so a client shows its own certificate. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
