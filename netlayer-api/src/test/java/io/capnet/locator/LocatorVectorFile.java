package io.capnet.locator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.capnet.codec.Vectors;
import io.capnet.value.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code spec/vectors/locators.json}; the format is in {@code spec/vectors/README.md}. */
final class LocatorVectorFile {
  private LocatorVectorFile() {}

  /**
   * One vector. Valid ones have {@code error == null}; {@code hints} is empty for {@code false};
   * {@code swiss} is null for a peer locator.
   */
  record Vector(
      String name,
      String uri,
      String designator,
      String transport,
      Map<String, String> hints,
      Bytes swiss,
      byte[] syrup,
      String canonicalUri,
      String error) {
    boolean valid() {
      return error == null;
    }

    /** The URI that printing gives. */
    String expectedUri() {
      return canonicalUri != null ? canonicalUri : uri;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Vector> all() {
    return Vectors.readEach("locators.json", LocatorVectorFile::read);
  }

  static List<Vector> valid() {
    return all().stream().filter(Vector::valid).toList();
  }

  static List<Vector> invalid() {
    return all().stream().filter(v -> !v.valid()).toList();
  }

  private static Vector read(JsonParser p) throws IOException {
    String name = null, uri = null, designator = null, transport = null, canonical = null, error = null;
    Map<String, String> hints = null;
    Bytes swiss = null;
    byte[] syrup = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "name" -> name = p.getText();
        case "uri" -> uri = p.getText();
        case "designator" -> designator = p.getText();
        case "transport" -> transport = p.getText();
        case "canonical_uri" -> canonical = p.getText();
        case "error" -> error = p.getText();
        case "swiss" -> swiss = Bytes.fromHex(p.getText());
        case "syrup" -> syrup = HexFormat.of().parseHex(p.getText());
        case "hints" -> {
          if (t == JsonToken.VALUE_FALSE) {
            hints = Map.of();
          } else {
            expect(t, JsonToken.START_OBJECT);
            LinkedHashMap<String, String> m = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String k = p.currentName();
              p.nextToken();
              m.put(k, p.getText());
            }
            hints = Collections.unmodifiableMap(m);
          }
        }
        default -> p.skipChildren();
      }
    }
    if (name == null || uri == null) throw new IllegalArgumentException("vector without name or uri");
    if (error == null && (designator == null || transport == null || hints == null || syrup == null)) {
      throw new IllegalArgumentException("valid vector " + name + " lacks designator, transport, hints or syrup");
    }
    return new Vector(name, uri, designator, transport, hints, swiss, syrup, canonical, error);
  }

  private static void expect(JsonToken got, JsonToken want) {
    if (got != want) throw new IllegalArgumentException("expected " + want + " but got " + got);
  }
}
