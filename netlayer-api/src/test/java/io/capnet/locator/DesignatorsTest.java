package io.capnet.locator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.value.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;

class DesignatorsTest {
  // RFC 8032 section 7.1, test 1 public key.
  private static final Bytes RFC8032_KEY =
      Bytes.fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

  @Test
  void designatorIsLowercaseUnpaddedBase32OfTheRawKey() {
    assertThat(Designators.ofEd25519(RFC8032_KEY)).isEqualTo("25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkena");
  }

  @Test
  void base32MatchesRfc4648VectorsWithoutPadding() {
    assertThat(Designators.base32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("my");
    assertThat(Designators.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("mzxw6ytboi");
    assertThat(Designators.fromBase32("mzxw6ytboi")).isEqualTo("foobar".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void jdkKeyRoundTripsThroughItsRawForm() throws Exception {
    PublicKey key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
    Bytes raw = Designators.rawEd25519(key);
    assertThat(Designators.ed25519PublicKey(raw)).isEqualTo(key);
    assertThat(Designators.ofEd25519(key)).hasSize(52).isEqualTo(Designators.base32(raw.toByteArray()));
  }

  @Test
  void refusesKeysOfTheWrongSizeAndNonBase32() {
    assertThatThrownBy(() -> Designators.ofEd25519(Bytes.of(new byte[31])))
        .hasMessageContaining("32 bytes, got 31");
    assertThatThrownBy(() -> Designators.fromBase32("MY")).hasMessageContaining("character 0 of the designator, 'M', is not lowercase base32");
    assertThatThrownBy(() -> Designators.fromBase32("mz")).hasMessageContaining("non-zero padding bits");
  }
}
