package io.capnet.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import io.capnet.value.OcapnError;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import io.capnet.value.Tagged;
import io.capnet.value.Undefined;
import io.capnet.value.Values;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/** Reads {@code spec/vectors/*.json}; the format is in {@code spec/vectors/README.md}. */
public final class Vectors {
  private Vectors() {}

  /**
   * One vector. For a valid one {@code error} is null; for an invalid one {@code value} is.
   * {@code canonicalBytes} is the file's {@code canonical_hex}, or null where it has none.
   */
  public record Vector(
      String name,
      Object value,
      byte[] bytes,
      boolean canonical,
      byte[] canonicalBytes,
      DecodeException.Rule error,
      long offset,
      DecodeLimits limits) {
    public boolean valid() {
      return error == null;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** The repository's {@code spec/} directory. */
  public static Path specDir() {
    String dir = System.getProperty("capnet.spec.dir");
    if (dir != null) return Path.of(dir);
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("spec/vectors"))) p = p.getParent();
    if (p == null) throw new IllegalStateException("cannot find spec/vectors above " + Path.of("").toAbsolutePath());
    return p.resolve("spec");
  }

  public static List<Vector> load(String file) {
    return load(file, slot -> {
      throw new IllegalArgumentException("vector uses descriptor slot " + slot + " but no slots given");
    });
  }

  /** Loads {@code spec/vectors/file}; {@code slots} supplies the Descriptor for {"descriptor": n}. */
  public static List<Vector> load(String file, LongFunction<Descriptor> slots) {
    return readEach(file, p -> readVector(p, slots));
  }

  /** Reads one entry of a vectors array; the parser is on the entry's START_OBJECT. */
  public interface EntryReader<T> {
    T read(JsonParser p) throws IOException;
  }

  /** Applies {@code reader} to each object in the {@code "vectors"} array of {@code spec/vectors/file}. */
  public static <T> List<T> readEach(String file, EntryReader<T> reader) {
    Path path = specDir().resolve("vectors").resolve(file);
    try (JsonParser p = new JsonFactory().createParser(path.toFile())) {
      expect(p.nextToken(), JsonToken.START_OBJECT, p);
      List<T> out = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (!field.equals("vectors")) {
          p.skipChildren();
          continue;
        }
        expect(p.currentToken(), JsonToken.START_ARRAY, p);
        while (p.nextToken() == JsonToken.START_OBJECT) {
          out.add(reader.read(p));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path, e);
    }
  }

  private static Vector readVector(JsonParser p, LongFunction<Descriptor> slots) throws IOException {
    String name = null;
    Object value = null;
    byte[] bytes = null;
    boolean canonical = false;
    byte[] canonicalBytes = null;
    DecodeException.Rule error = null;
    long offset = -1;
    DecodeLimits limits = DecodeLimits.DEFAULT;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      switch (f) {
        case "name" -> name = p.getText();
        case "value" -> value = readValue(p, slots);
        case "hex" -> bytes = HexFormat.of().parseHex(p.getText());
        case "canonical" -> canonical = p.getBooleanValue();
        case "canonical_hex" -> canonicalBytes = HexFormat.of().parseHex(p.getText());
        case "error" -> {
          error = DecodeException.Rule.fromCode(p.getText());
          if (error == null) throw new IllegalArgumentException("unknown rule " + p.getText());
        }
        case "offset" -> offset = p.getLongValue();
        case "limits" -> limits = readLimits(p);
        default -> p.skipChildren();
      }
    }
    if (name == null || bytes == null) throw new IllegalArgumentException("vector without name or hex near " + p.currentLocation());
    if ((value == null) == (error == null)) throw new IllegalArgumentException("vector " + name + " needs exactly one of value and error");
    return new Vector(name, value, bytes, canonical, canonicalBytes, error, offset, limits);
  }

  private static DecodeLimits readLimits(JsonParser p) throws IOException {
    DecodeLimits l = DecodeLimits.DEFAULT;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      int v = p.getIntValue();
      l = switch (f) {
        case "maxValueBytes" -> l.withMaxValueBytes(v);
        case "maxDepth" -> l.withMaxDepth(v);
        case "maxCollectionLength" -> l.withMaxCollectionLength(v);
        case "maxStringBytes" -> l.withMaxStringBytes(v);
        case "maxByteArrayBytes" -> l.withMaxByteArrayBytes(v);
        case "maxIntegerBits" -> l.withMaxIntegerBits(v);
        default -> throw new IllegalArgumentException("unknown limit " + f);
      };
    }
    return l;
  }

  /** Reads one value in the JSON form of spec/vectors/README.md; the parser is on its first token. */
  public static Object readValue(JsonParser p, LongFunction<Descriptor> slots) throws IOException {
    switch (p.currentToken()) {
      case VALUE_TRUE: return Boolean.TRUE;
      case VALUE_FALSE: return Boolean.FALSE;
      case VALUE_STRING: return p.getText();
      case START_ARRAY: {
        List<Object> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) items.add(readValue(p, slots));
        return List.copyOf(items);
      }
      case START_OBJECT: {
        expect(p.nextToken(), JsonToken.FIELD_NAME, p);
        String kind = p.currentName();
        p.nextToken();
        Object v = switch (kind) {
          case "undefined" -> Undefined.UNDEFINED;
          case "null" -> Null.NULL;
          case "int" -> Values.integer(new BigInteger(p.getText()));
          case "float64" -> Double.longBitsToDouble(Long.parseUnsignedLong(p.getText(), 16));
          case "bytes" -> Bytes.fromHex(p.getText());
          case "symbol" -> new Symbol(p.getText());
          case "error" -> new OcapnError(p.getText());
          case "descriptor" -> slots.apply(p.getLongValue());
          case "tagged" -> {
            expect(p.currentToken(), JsonToken.START_ARRAY, p);
            p.nextToken();
            String tag = p.getText();
            p.nextToken();
            Object inner = readValue(p, slots);
            expect(p.nextToken(), JsonToken.END_ARRAY, p);
            yield new Tagged(tag, inner);
          }
          case "record" -> {
            expect(p.currentToken(), JsonToken.START_ARRAY, p);
            p.nextToken();
            Object label = readValue(p, slots);
            List<Object> fields = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) fields.add(readValue(p, slots));
            yield new Record(label, fields);
          }
          case "struct" -> {
            expect(p.currentToken(), JsonToken.START_ARRAY, p);
            Map<Object, Object> m = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.START_ARRAY) {
              p.nextToken();
              Object k = readValue(p, slots);
              p.nextToken();
              Object val = readValue(p, slots);
              expect(p.nextToken(), JsonToken.END_ARRAY, p);
              if (m.put(k, val) != null) throw new IllegalArgumentException("duplicate key in vector struct");
            }
            yield java.util.Collections.unmodifiableMap(m);
          }
          default -> throw new IllegalArgumentException("unknown value kind " + kind + " at " + p.currentLocation());
        };
        expect(p.nextToken(), JsonToken.END_OBJECT, p);
        return v;
      }
      default:
        throw new IllegalArgumentException("unexpected " + p.currentToken() + " at " + p.currentLocation());
    }
  }

  private static void expect(JsonToken got, JsonToken want, JsonParser p) {
    if (got != want) throw new IllegalArgumentException("expected " + want + " but got " + got + " at " + p.currentLocation());
  }
}
