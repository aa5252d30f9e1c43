package io.capnet.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.captp.OcapnKeys;
import io.capnet.locator.Designators;
import io.capnet.locator.PeerLocator;
import io.capnet.unix.Uds.SignatureForm;
import io.capnet.value.Bytes;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The uds: records against spec/vectors/uds.json: decode every vector, encode it back, refuse the bad ones. */
class UdsCodecTest {
  private static final Map<String, Object> V = UdsVectors.load();

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(String key) {
    return (List<Map<String, Object>>) V.get(key);
  }

  private static Bytes b(Map<String, Object> v, String k) {
    return Bytes.of(UdsVectors.hex(v.get(k)));
  }

  @Test
  void everyValidVectorDecodesToItsFieldsAndEncodesToItsBytes() throws Exception {
    assertThat(list("valid")).hasSize(7);
    for (Map<String, Object> v : list("valid")) {
      byte[] hex = UdsVectors.hex(v.get("hex"));
      Uds.Message m = Uds.decode(hex, 0, hex.length);
      SignatureForm form = "goblins".equals(v.get("form")) ? SignatureForm.GOBLINS : SignatureForm.DRAFT;
      Uds.Message expected = switch ((String) v.get("type")) {
        case "register" -> new Uds.Register(PeerLocator.parse((String) v.get("location")), b(v, "challenge"));
        case "server-response" -> new Uds.ServerResponse(b(v, "key"), b(v, "server_challenge"),
            new Uds.Signed(form == SignatureForm.GOBLINS ? null : b(v, "payload"), b(v, "signature")));
        case "signature" -> new Uds.Signed(b(v, "payload"), b(v, "signature"));
        case "new-connection" -> new Uds.NewConnection(PeerLocator.parse((String) v.get("from")),
            PeerLocator.parse((String) v.get("to")));
        case "abort" -> new Uds.Abort((String) v.get("reason"));
        default -> throw new AssertionError(v.get("type"));
      };
      assertThat(m).as(v.get("name").toString()).isEqualTo(expected);
      if (m instanceof Uds.NewConnection n) {
        assertThat(n.from().equalsWithHints(((Uds.NewConnection) expected).from())).isTrue();
      }
      if (form == SignatureForm.GOBLINS && m instanceof Uds.ServerResponse r) {
        // The payload is not on the wire in this form: encode with the one it signs.
        m = new Uds.ServerResponse(r.serverKey(), r.serverChallenge(), new Uds.Signed(b(v, "payload"), r.response().signature()));
      }
      assertThat(HexFormat.of().formatHex(Uds.encode(m, form))).as(v.get("name").toString()).isEqualTo(v.get("hex"));
    }
  }

  @Test
  void theVectorsSignaturesVerifyWithTheJdk() throws Exception {
    for (Map<String, Object> v : list("valid")) {
      if (!v.containsKey("signature")) continue;
      byte[] payload = UdsVectors.hex(v.get("payload"));
      Bytes signer = v.get("type").equals("server-response")
          ? Bytes.of(Designators.ed25519Key((String) V.get("server_designator")))
          : Bytes.of(Designators.ed25519Key((String) V.get("peer_designator")));
      var jdk = java.security.Signature.getInstance("Ed25519");
      jdk.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
          HexFormat.of().parseHex("302a300506032b6570032100" + signer.hex()))));
      jdk.update(payload);
      assertThat(jdk.verify(UdsVectors.hex(v.get("signature")))).as(v.get("name").toString()).isTrue();
      assertThat(OcapnKeys.verify(signer, payload, b(v, "signature"))).isTrue();
      payload[0] ^= 1;
      assertThat(OcapnKeys.verify(signer, payload, b(v, "signature"))).isFalse();
    }
    // Ed25519 is deterministic: our signer gives the vector's bytes.
    Map<String, Object> sig = list("valid").get(3);
    assertThat(OcapnKeys.sign(UdsVectors.privateKey((String) V.get("peer_seed")), UdsVectors.hex(sig.get("payload"))))
        .isEqualTo(b(sig, "signature"));
  }

  @Test
  void everyInvalidVectorIsRefusedWithItsText() {
    assertThat(list("invalid")).hasSize(8);
    for (Map<String, Object> v : list("invalid")) {
      byte[] hex = UdsVectors.hex(v.get("hex"));
      assertThatThrownBy(() -> Uds.decode(hex, 0, hex.length)).as(v.get("name").toString())
          .isInstanceOf(Uds.MalformedException.class).hasMessage((String) v.get("error"));
    }
  }

  @Test
  void goblinsHintValuesAreReadByTheirKeys() throws Exception {
    // <ocapn-peer 'unix-domain-socket "D" {"K": #t}>, as Goblins writes a second server's hint.
    String d = (String) V.get("peer_designator");
    String k = (String) V.get("server_designator");
    byte[] rec = ("<10'ocapn-peer18'unix-domain-socket52\"" + d + "{52\"" + k + "t}>").getBytes();
    byte[] msg = ("<18'uds:new-connection" + new String(rec) + new String(rec) + ">").getBytes();
    Uds.NewConnection n = (Uds.NewConnection) Uds.decode(msg, 0, msg.length);
    assertThat(n.from().hints()).isEqualTo(Map.of(k, "1"));
  }

  @Test
  void aRecordOverTheLimitIsRefusedByTheDecoder() {
    byte[] big = ("<9'uds:abort" + (Uds.MAX_RECORD_BYTES) + "\"" + "x".repeat(Uds.MAX_RECORD_BYTES) + ">").getBytes();
    assertThatThrownBy(() -> Uds.decode(big, 0, big.length)).isInstanceOf(io.capnet.codec.DecodeException.class)
        .hasMessageContaining("value-too-large");
  }
}
