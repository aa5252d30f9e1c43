package io.capnet.tcptls;

import io.capnet.locator.Designators;
import io.capnet.locator.Ed25519KeyFile;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A tcp-tls identity: an Ed25519 key pair, named by its {@link #designator()}, with the
 * self-signed X.509 certificate it shows in TLS. No certificate authority is involved: a peer
 * is authenticated by holding the private key of the designator in its locator.
 *
 * <p>Key files are PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}), as {@code openssl genpkey
 * -algorithm ed25519} writes and {@code openssl pkey} reads. The certificate is made afresh on
 * each load; only the key is the identity.
 */
public final class TlsIdentity {
  /** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final byte[] rawPublicKey;
  private final String designator;
  private final X509Certificate certificate;

  private TlsIdentity(PrivateKey privateKey, byte[] rawPublicKey) {
    this.privateKey = privateKey;
    this.rawPublicKey = rawPublicKey.clone();
    this.publicKey = publicKeyOf(rawPublicKey);
    this.designator = Designators.base32(rawPublicKey);
    this.certificate = selfSign(privateKey, publicKey, designator);
  }

  /** A fresh random identity, e.g. for a peer that needs no stable name. */
  public static TlsIdentity generate() {
    return of(Ed25519KeyFile.generate());
  }

  /**
   * Reads an identity from a PKCS#8 PEM Ed25519 private key file ({@link Ed25519KeyFile}).
   *
   * @throws IOException if the file cannot be read or is not such a key; the message names the
   *     file and the cause
   */
  public static TlsIdentity load(Path file) throws IOException {
    return of(Ed25519KeyFile.load(file));
  }

  /** The identity of an Ed25519 key pair, e.g. one a unix netlayer uses too. */
  public static TlsIdentity of(KeyPair pair) {
    try {
      return new TlsIdentity(pair.getPrivate(), rawKey(pair.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * Writes the private key to {@code file} as PKCS#8 PEM, readable by its owner only (mode
   * 0600), whole or not at all. Refuses to overwrite an existing file.
   *
   * @throws FileAlreadyExistsException if {@code file} exists
   */
  public void save(Path file) throws IOException {
    Ed25519KeyFile.save(new KeyPair(publicKey, privateKey), file);
  }

  /**
   * This key's pure Ed25519 signature of {@code data} (64 bytes), for protocols that prove the
   * key outside TLS, such as the introduction protocol's challenges (spec/uds.md).
   */
  public byte[] sign(byte[] data) {
    try {
      java.security.Signature s = java.security.Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  /** The designator: the lowercase unpadded base32 of the raw 32-byte public key. */
  public String designator() {
    return designator;
  }

  /** The Ed25519 public key. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** The raw 32-byte Ed25519 public key (a copy). */
  public byte[] rawPublicKey() {
    return rawPublicKey.clone();
  }

  PrivateKey privateKey() {
    return privateKey;
  }

  X509Certificate certificate() {
    return certificate;
  }

  @Override
  public String toString() {
    return "tcp-tls identity " + designator;
  }

  // ---------------------------------------------------------------- keys and certificates

  /** The raw 32 bytes of an Ed25519 public key, or an exception naming what it is instead. */
  static byte[] rawKey(PublicKey key) throws GeneralSecurityException {
    byte[] spki = key.getEncoded();
    if (spki == null || spki.length != SPKI_PREFIX.length + 32
        || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
      throw new GeneralSecurityException("the key is " + key.getAlgorithm() + ", not Ed25519");
    }
    return Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
  }

  static PublicKey publicKeyOf(byte[] raw) {
    byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + 32);
    System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, 32);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
    }
  }

  private static X509Certificate selfSign(PrivateKey privateKey, PublicKey publicKey, String designator) {
    X500Name name = new X500Name("CN=" + designator);
    Instant now = Instant.now();
    // RFC 5280 4.1.2.5: 99991231235959Z means "no well-defined expiration date".
    Date notAfter = Date.from(Instant.parse("9999-12-31T23:59:59Z"));
    try {
      X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name,
          new BigInteger(63, RANDOM).add(BigInteger.ONE), Date.from(now.minus(Duration.ofDays(1))), notAfter,
          name, publicKey)
          .build(new JcaContentSignerBuilder("Ed25519").build(privateKey));
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot self-sign an Ed25519 certificate", e);
    }
  }
}
