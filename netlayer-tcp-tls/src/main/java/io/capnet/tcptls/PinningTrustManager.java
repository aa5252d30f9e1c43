package io.capnet.tcptls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust without certificate authorities: a certificate is only a carrier for an Ed25519 key, and
 * TLS's CertificateVerify proves the peer holds its private half. A dialler pins the key its
 * locator's designator names; a listener accepts any single Ed25519 certificate and learns the
 * client's designator from it. Expiry, names and issuers are not looked at.
 */
final class PinningTrustManager extends X509ExtendedTrustManager {
  /** The key the server must have, or null on the listening side. */
  private final byte[] expected;

  private PinningTrustManager(byte[] expected) {
    this.expected = expected;
  }

  /** For a listener: any client that shows one Ed25519 certificate. */
  static PinningTrustManager forClients() {
    return new PinningTrustManager(null);
  }

  /** For a dialler: only the server whose key is {@code expected}. */
  static PinningTrustManager pinning(byte[] expected) {
    return new PinningTrustManager(expected.clone());
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
    if (expected != null) throw new CertificateException("a dialling context does not accept clients");
    keyOf(chain, "client");
  }

  private void checkServer(X509Certificate[] chain) throws CertificateException {
    if (expected == null) throw new CertificateException("a listening context does not dial");
    byte[] key = keyOf(chain, "server");
    if (!Arrays.equals(key, expected)) {
      throw new KeyMismatchException(Base32.encode(expected), Base32.encode(key));
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
    checkServer(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkServer(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkServer(chain);
  }

  /** None: a CertificateRequest names no authorities, so a client shows its own certificate. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
