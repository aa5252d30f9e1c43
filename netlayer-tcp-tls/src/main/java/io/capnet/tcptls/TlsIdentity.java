package io.capnet.tcptls;

import io.capnet.locator.Designators;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
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
  private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PEM_END = "-----END PRIVATE KEY-----";
  /** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  /** A PEM key file is a few hundred bytes; refuse to read anything much larger. */
  private static final long MAX_KEY_FILE_BYTES = 16 * 1024;
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
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new TlsIdentity(pair.getPrivate(), rawKey(pair.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make Ed25519 keys", e);
    }
  }

  /**
   * Reads an identity from a PKCS#8 PEM Ed25519 private key file.
   *
   * @throws IOException if the file cannot be read or is not such a key; the message names the
   *     file and the cause
   */
  public static TlsIdentity load(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    long size = Files.size(file);
    if (size > MAX_KEY_FILE_BYTES) {
      throw new IOException(file + ": " + size + " bytes is too large for an Ed25519 key file");
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = text.indexOf(PEM_BEGIN);
    int end = text.indexOf(PEM_END);
    if (begin < 0 || end < begin) {
      throw new IOException(file + ": not a PKCS#8 PEM private key (no " + PEM_BEGIN + " ... " + PEM_END + ")");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(begin + PEM_BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": the PEM body is not valid base64: " + e.getMessage(), e);
    }
    try {
      PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
      return fromPrivateKey(key);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException(file + ": not an Ed25519 private key: " + e.getMessage(), e);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  private static TlsIdentity fromPrivateKey(PrivateKey key) throws GeneralSecurityException {
    if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
      throw new GeneralSecurityException("the key is " + key.getAlgorithm() + ", not Ed25519");
    }
    byte[] seed = ed.getBytes().get();
    try {
      if (seed.length != 32) throw new GeneralSecurityException("the key is not an Ed25519 key");
      byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
      return new TlsIdentity(key, raw);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /**
   * Writes the private key to {@code file} as PKCS#8 PEM, readable by its owner only (mode
   * 0600). Refuses to overwrite an existing file.
   *
   * @throws FileAlreadyExistsException if {@code file} exists
   */
  public void save(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    byte[] der = privateKey.getEncoded();
    String pem = PEM_BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n" + PEM_END + "\n";
    Arrays.fill(der, (byte) 0);
    FileAttribute<?>[] attrs = file.getFileSystem().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
    Files.createFile(file, attrs);
    Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
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
