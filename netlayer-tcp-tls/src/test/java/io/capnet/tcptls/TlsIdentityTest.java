package io.capnet.tcptls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capnet.codec.Codec;
import io.capnet.locator.PeerLocator;
import io.capnet.locator.Sturdyref;
import io.capnet.value.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Identities, key files and designators; the vectors are the ones in spec/tcp-tls.md. */
@Timeout(30)
class TlsIdentityTest {
  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path dir;

  /** RFC 8032 section 7.1 tests 1-3 (secret key, public key), and two edge keys. */
  @ParameterizedTest
  @CsvSource({
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a, 25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkena",
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c, hvabpq7iioevvevxbktu2g36xsojqlgpf3cjndgazvk7ckxumyga",
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025, 7ri43dtcdcq2hdnep3iaemhqlaebn3itxizqhlc55oirkseqqasq",
    "0000000000000000000000000000000000000000000000000000000000000000, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff, 777777777777777777777777777777777777777777777777777q",
  })
  void designatorIsLowercaseUnpaddedBase32OfTheRawKey(String keyHex, String designator) {
    assertThat(TcpTls.designator(HEX.parseHex(keyHex))).isEqualTo(designator);
    assertThat(TcpTls.publicKey(designator)).isEqualTo(HEX.parseHex(keyHex));
  }

  @ParameterizedTest
  @CsvSource({
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60, 25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkena",
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb, hvabpq7iioevvevxbktu2g36xsojqlgpf3cjndgazvk7ckxumyga",
    "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7, 7ri43dtcdcq2hdnep3iaemhqlaebn3itxizqhlc55oirkseqqasq",
  })
  void keyFileOfAnRfc8032SecretKeyLoadsWithItsDesignator(String secretHex, String designator) throws Exception {
    Path file = dir.resolve("k.pem");
    Files.writeString(file, pem(HEX.parseHex(secretHex)), StandardCharsets.US_ASCII);
    TlsIdentity id = TlsIdentity.load(file);
    assertThat(id.designator()).isEqualTo(designator);
    assertThat(TcpTls.designator(id.rawPublicKey())).isEqualTo(designator);
    // The loaded private key signs for the public key the designator names.
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(id.privateKey());
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    Signature v = Signature.getInstance("Ed25519");
    v.initVerify(TlsIdentity.publicKeyOf(TcpTls.publicKey(designator)));
    v.update(new byte[] {1, 2, 3});
    assertThat(v.verify(sig)).isTrue();
  }

  /** The PKCS#8 v1 PEM of an Ed25519 seed, as spec/tcp-tls.md gives it. */
  static String pem(byte[] seed) {
    byte[] der = HEX.parseHex("302e020100300506032b657004220420" + HEX.formatHex(seed));
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(der) + "\n-----END PRIVATE KEY-----\n";
  }

  @Test
  void savedIdentityLoadsBackWithTheSameDesignatorAndMode0600() throws Exception {
    TlsIdentity id = TlsIdentity.generate();
    Path file = dir.resolve("id.key");
    id.save(file);
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
    assertThat(TlsIdentity.load(file).designator()).isEqualTo(id.designator());
    assertThat(id.designator()).matches("[a-z2-7]{52}");
    assertThat(id.certificate().getPublicKey().getEncoded()).isEqualTo(id.publicKey().getEncoded());
    id.certificate().verify(id.publicKey()); // self-signed
  }

  @Test
  void saveRefusesToOverwriteAFile() throws Exception {
    Path file = dir.resolve("id.key");
    Files.writeString(file, "precious");
    assertThatThrownBy(() -> TlsIdentity.generate().save(file)).isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(file)).isEqualTo("precious");
  }

  @Test
  void loadRefusesWhatIsNotAnEd25519KeyNamingTheFile() throws Exception {
    Path notPem = dir.resolve("not-pem");
    Files.writeString(notPem, "hello");
    assertThatThrownBy(() -> TlsIdentity.load(notPem)).isInstanceOf(IOException.class)
        .hasMessageContaining(notPem.toString()).hasMessageContaining("not a PKCS#8 PEM private key");
    Path badBody = dir.resolve("bad-body");
    Files.writeString(badBody, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsIdentity.load(badBody)).isInstanceOf(IOException.class)
        .hasMessageContaining("not an Ed25519 private key");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "25NJQAMCWEFLPVKL73J4SZAHHIHOC4XT3KTCGJNPAINGR5YHKENA | is not lowercase base32",
    "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhken  | got 51",
    "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkena==== | got 56",
    "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenb | non-zero padding bits",
    "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhke0a | is not lowercase base32",
  })
  void nonCanonicalDesignatorsAreRefusedNamingTheFault(String designator, String fault) {
    assertThatThrownBy(() -> TcpTls.publicKey(designator)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(fault);
  }

  @Test
  void locatorExampleFromTheSpecParses() {
    PeerLocator l = PeerLocator.parse("ocapn://25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkena.tcp-tls?host=192.0.2.7&port=7000");
    assertThat(l.transport()).isEqualTo(TcpTls.TRANSPORT);
    assertThat(TcpTls.publicKey(l.designator()))
        .isEqualTo(HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    assertThat(new String(Codec.syrup().encode(l.toRecord()), StandardCharsets.US_ASCII)).isEqualTo(
        "<10'ocapn-peer7'tcp-tls52\"25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkena"
            + "{4\"host9\"192.0.2.74\"port4\"7000}>");
    Sturdyref ref = l.sturdyref(Bytes.of("greeter".getBytes(StandardCharsets.US_ASCII)));
    assertThat(ref.toUri()).isEqualTo(
        "ocapn://25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkena.tcp-tls/s/greeter?host=192.0.2.7&port=7000");
  }

  @Test
  void pemOfTheRfc8032Test1KeyIsTheOneInTheSpec() {
    assertThat(pem(HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")))
        .isEqualTo("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
            + "-----END PRIVATE KEY-----\n");
  }

  @Test
  void opensslReadsASavedKeyAndAgreesOnThePublicKey() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    TlsIdentity id = TlsIdentity.generate();
    Path file = dir.resolve("id.key");
    id.save(file);
    String text = run("openssl", "pkey", "-in", file.toString(), "-noout", "-text");
    assertThat(text).contains("ED25519 Private-Key");
    byte[] spki = runBytes("openssl", "pkey", "-in", file.toString(), "-pubout", "-outform", "DER");
    assertThat(TcpTls.designator(Arrays.copyOfRange(spki, spki.length - 32, spki.length))).isEqualTo(id.designator());
  }

  @Test
  void aKeyMadeByOpensslLoads() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    Path file = dir.resolve("openssl.key");
    run("openssl", "genpkey", "-algorithm", "ed25519", "-out", file.toString());
    byte[] spki = runBytes("openssl", "pkey", "-in", file.toString(), "-pubout", "-outform", "DER");
    assertThat(TlsIdentity.load(file).rawPublicKey()).isEqualTo(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
  }

  private static String run(String... command) throws Exception {
    return new String(runBytes(command), StandardCharsets.UTF_8);
  }

  private static byte[] runBytes(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("exit code of %s", String.join(" ", command)).isZero();
    return out;
  }
}
