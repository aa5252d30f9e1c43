package io.capnet.locator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * An Ed25519 key pair kept in a file, so that a peer's designator (and every sturdyref it exports
 * under a chosen swiss number) stays the same across restarts.
 *
 * <p>The file is PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}), as {@code openssl genpkey
 * -algorithm ed25519} and {@code capnet identity new} write it; one file serves the unix and the
 * tcp-tls netlayers alike. It is written with mode 0600, whole or not at all.
 */
public final class Ed25519KeyFile {
  static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
  static final String PEM_END = "-----END PRIVATE KEY-----";
  /** A PEM key file is a few hundred bytes; refuse to read anything much larger. */
  static final long MAX_BYTES = 16 * 1024;

  private Ed25519KeyFile() {}

  /**
   * Reads the key pair in {@code file}.
   *
   * @throws IOException if the file cannot be read or holds no Ed25519 private key; the message
   *     names the file and what was wrong
   */
  public static KeyPair load(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    long size = Files.size(file);
    if (size > MAX_BYTES) throw new IOException(file + ": " + size + " bytes is too large for an Ed25519 key file");
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
      return pairOf(key);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException(file + ": not an Ed25519 private key: " + e.getMessage(), e);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /**
   * Writes {@code pair}'s private key to {@code file} (mode 0600), refusing to replace an existing
   * file. The key goes to a temporary file in the same directory, is forced to disk, and is then
   * linked under its name, so a crash never leaves half a key there.
   *
   * @throws FileAlreadyExistsException if {@code file} exists
   */
  public static void save(KeyPair pair, Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    byte[] der = pair.getPrivate().getEncoded();
    String pem = PEM_BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n" + PEM_END + "\n";
    Arrays.fill(der, (byte) 0);
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(file.toString());
    Path dir = file.toAbsolutePath().getParent();
    Path temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", ownerOnly(dir));
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(StandardCharsets.US_ASCII.encode(pem));
        ch.force(true);
      }
      // A hard link, unlike a rename, fails when the name is taken: no key is ever replaced.
      Files.createLink(file, temp);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** The key pair in {@code file}, made (and saved) first when there is no such file. */
  public static KeyPair loadOrCreate(Path file) throws IOException {
    try {
      return load(file);
    } catch (NoSuchFileException missing) {
      KeyPair fresh = generate();
      try {
        save(fresh, file);
        return fresh;
      } catch (FileAlreadyExistsException raced) {
        return load(file);
      }
    }
  }

  /** A fresh random Ed25519 key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make Ed25519 keys", e);
    }
  }

  /**
   * The pair of an Ed25519 private key. The JDK derives a public key only while generating, so
   * the generator is fed the key's own 32-byte seed as its randomness; the private key it then
   * makes is compared with the one given, so a JDK that drew its randomness differently fails
   * here rather than yield a wrong public key.
   */
  public static KeyPair pairOf(PrivateKey key) throws GeneralSecurityException {
    if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()
        || !"Ed25519".equals(ed.getParams().getName())) {
      throw new GeneralSecurityException("the key is " + key.getAlgorithm() + ", not Ed25519");
    }
    byte[] seed = ed.getBytes().get();
    try {
      if (seed.length != 32) throw new GeneralSecurityException("the key is not an Ed25519 key");
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
      KeyPair derived;
      try {
        derived = g.generateKeyPair();
      } catch (IllegalStateException e) {
        throw new GeneralSecurityException(e.getMessage(), e);
      }
      byte[] again = ((EdECPrivateKey) derived.getPrivate()).getBytes().orElseThrow();
      boolean same = Arrays.equals(again, seed);
      Arrays.fill(again, (byte) 0);
      if (!same) throw new GeneralSecurityException("this JDK's Ed25519 generator cannot rebuild a key pair from its seed");
      return new KeyPair(derived.getPublic(), key);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  private static FileAttribute<?>[] ownerOnly(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  /** Randomness that is one given seed, once. */
  private static final class SeedRandom extends SecureRandom {
    private byte[] seed;

    SeedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (seed == null || bytes.length != seed.length) {
        throw new IllegalStateException("the Ed25519 generator asked for randomness other than one 32-byte seed");
      }
      System.arraycopy(seed, 0, bytes, 0, seed.length);
      Arrays.fill(seed, (byte) 0);
      seed = null;
    }
  }
}
