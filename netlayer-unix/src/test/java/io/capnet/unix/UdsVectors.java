package io.capnet.unix;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.capnet.codec.Vectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** spec/vectors/uds.json, written by gen-uds.py (an oracle outside the Java code). */
final class UdsVectors {
  private UdsVectors() {}

  @SuppressWarnings("unchecked")
  static Map<String, Object> load() {
    try (JsonParser p = new JsonFactory().createParser(Vectors.specDir().resolve("vectors/uds.json").toFile())) {
      p.nextToken();
      return (Map<String, Object>) read(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      Map<String, Object> m = new LinkedHashMap<>();
      while (p.nextToken() != JsonToken.END_OBJECT) {
        String k = p.currentName();
        p.nextToken();
        m.put(k, read(p));
      }
      return m;
    }
    if (t == JsonToken.START_ARRAY) {
      List<Object> l = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) l.add(read(p));
      return l;
    }
    return p.getText();
  }

  static byte[] hex(Object s) {
    return HexFormat.of().parseHex((String) s);
  }

  /** A JDK Ed25519 private key from a 32-byte RFC 8032 seed. */
  static PrivateKey privateKey(String seedHex) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(
          new PKCS8EncodedKeySpec(HexFormat.of().parseHex("302e020100300506032b657004220420" + seedHex)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
