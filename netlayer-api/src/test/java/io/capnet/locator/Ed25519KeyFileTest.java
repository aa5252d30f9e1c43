package io.capnet.locator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ed25519KeyFileTest {
  private static final HexFormat HEX = HexFormat.of();
  /** RFC 8032 section 7.1, TEST 1: the secret key, its public key, and the PEM of the secret. */
  private static final String RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  private static final String RFC8032_PEM = "-----BEGIN PRIVATE KEY-----\n"
      + "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
  /** RFC 8032 TEST 1: the signature of the empty message. */
  private static final String RFC8032_SIG_OF_EMPTY = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
      + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

  @TempDir Path dir;

  @Test
  void theRfc8032KeyLoadsWithItsPublicKeyAndDesignator() throws Exception {
    Path file = dir.resolve("rfc.key");
    Files.writeString(file, RFC8032_PEM);
    KeyPair pair = Ed25519KeyFile.load(file);
    byte[] spki = pair.getPublic().getEncoded();
    assertThat(HEX.formatHex(Arrays.copyOfRange(spki, spki.length - 32, spki.length))).isEqualTo(RFC8032_PUBLIC);
    assertThat(Designators.ofEd25519(pair.getPublic())).isEqualTo("25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkena");
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(pair.getPrivate());
    assertThat(HEX.formatHex(s.sign())).isEqualTo(RFC8032_SIG_OF_EMPTY);
  }

  @Test
  void savedKeyIsOwnerOnlyAndLoadsBackAsTheSamePair() throws Exception {
    KeyPair pair = Ed25519KeyFile.generate();
    Path file = dir.resolve("id.key");
    Ed25519KeyFile.save(pair, file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    KeyPair back = Ed25519KeyFile.load(file);
    assertThat(back.getPublic().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    assertThat(back.getPrivate().getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
    try (var names = Files.list(dir)) {
      assertThat(names.map(p -> p.getFileName().toString())).containsExactly("id.key");
    }
  }

  @Test
  void saveNeverReplacesAFile() throws Exception {
    Path file = dir.resolve("taken");
    Files.writeString(file, "precious");
    assertThatThrownBy(() -> Ed25519KeyFile.save(Ed25519KeyFile.generate(), file))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(file)).isEqualTo("precious");
    try (var names = Files.list(dir)) {
      assertThat(names.count()).isEqualTo(1);
    }
  }

  @Test
  void loadOrCreateMakesAKeyOnceAndThenKeepsIt() throws Exception {
    Path file = dir.resolve("peer.key");
    KeyPair first = Ed25519KeyFile.loadOrCreate(file);
    KeyPair second = Ed25519KeyFile.loadOrCreate(file);
    assertThat(second.getPublic().getEncoded()).isEqualTo(first.getPublic().getEncoded());
  }

  @Test
  void whatIsNotAnEd25519KeyIsRefusedNamingTheFileAndTheFault() throws Exception {
    Path notPem = dir.resolve("not-pem");
    Files.writeString(notPem, "hello");
    assertThatThrownBy(() -> Ed25519KeyFile.load(notPem)).isInstanceOf(IOException.class)
        .hasMessageContaining(notPem.toString()).hasMessageContaining("not a PKCS#8 PEM private key");
    Path x25519 = dir.resolve("x25519");
    // An X25519 key: PKCS#8 with OID 1.3.101.110, which is not a signing key.
    Files.writeString(x25519, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
        + "-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> Ed25519KeyFile.load(x25519)).isInstanceOf(IOException.class)
        .hasMessageContaining(x25519.toString()).hasMessageContaining("not an Ed25519 private key");
    Path huge = dir.resolve("huge");
    Files.write(huge, new byte[20_000]);
    assertThatThrownBy(() -> Ed25519KeyFile.load(huge)).isInstanceOf(IOException.class)
        .hasMessageContaining("too large for an Ed25519 key file");
  }
}
