package io.capnet.unix;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Switchboard label set: string keys to string values, as in Flower. Two sets <em>match</em>
 * unless some key has different values in them; keys missing on either side never prevent a
 * match. Immutable; iteration is in key order.
 */
public final class Labels {
  private static final Labels EMPTY = new Labels(new TreeMap<>());
  private static final JsonFactory JSON = new JsonFactory();
  /** Bounds a label set from the wire or the command line; see spec/limits.md. */
  public static final int MAX_LABELS = 64;
  public static final int MAX_LENGTH = 1024;

  private final SortedMap<String, String> map;

  /** Every set is made here, so no path (a union, an added label) can pass the bound. */
  private Labels(SortedMap<String, String> map) {
    if (map.size() > MAX_LABELS) {
      throw new IllegalArgumentException("more than " + MAX_LABELS + " labels (" + map.size() + ")");
    }
    this.map = Collections.unmodifiableSortedMap(map);
  }

  public static Labels empty() {
    return EMPTY;
  }

  /** @throws IllegalArgumentException for an empty key, a NUL byte, or a bound broken */
  public static Labels of(Map<String, String> labels) {
    TreeMap<String, String> m = new TreeMap<>();
    for (var e : labels.entrySet()) {
      check(e.getKey(), e.getValue());
      m.put(e.getKey(), e.getValue());
    }
    if (m.size() > MAX_LABELS) throw new IllegalArgumentException("more than " + MAX_LABELS + " labels");
    return new Labels(m);
  }

  public static Labels of(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("keys and values come in pairs");
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) m.put(keysAndValues[i], keysAndValues[i + 1]);
    return of(m);
  }

  private static void check(String key, String value) {
    if (key == null || key.isEmpty()) throw new IllegalArgumentException("a label key is empty");
    if (value == null) throw new IllegalArgumentException("label '" + key + "' has no value");
    if (key.length() > MAX_LENGTH || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("label '" + abbreviate(key) + "' is longer than " + MAX_LENGTH + " characters");
    }
    if (key.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("label '" + abbreviate(key) + "' contains a NUL byte");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /**
   * Reads a label set from a CapTP value: a Struct whose values are all strings.
   *
   * @param what names the argument in errors, e.g. {@code "connect labels"}
   * @throws IllegalArgumentException naming the offending key and the type found
   */
  public static Labels fromValue(Object value, String what) {
    if (!(value instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(what + " must be a struct of strings, got " + typeOf(value));
    }
    TreeMap<String, String> out = new TreeMap<>();
    for (var e : m.entrySet()) {
      if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException(what + " has a non-string key");
      if (!(e.getValue() instanceof String v)) {
        throw new IllegalArgumentException(what + ": label '" + abbreviate(k) + "' must be a string, got "
            + typeOf(e.getValue()));
      }
      out.put(k, v);
    }
    try {
      return of(out);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
  }

  private static String typeOf(Object v) {
    if (v == null) return "nothing";
    if (v instanceof Long || v instanceof java.math.BigInteger) return "an integer";
    if (v instanceof Map) return "a struct";
    if (v instanceof List) return "a list";
    if (v instanceof Boolean) return "a boolean";
    if (v instanceof Double) return "a float";
    return "a " + v.getClass().getSimpleName();
  }

  /**
   * Parses a JSON object whose values are all strings, e.g. {@code {"svc":"db"}}.
   *
   * @throws IllegalArgumentException naming the key whose value is not a string, or the syntax error
   */
  public static Labels parseJson(String json) {
    TreeMap<String, String> m = new TreeMap<>();
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("labels must be a JSON object like {\"key\":\"value\"}, got: " + abbreviate(json));
      }
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String key = p.currentName();
        JsonToken v = p.nextToken();
        if (v != JsonToken.VALUE_STRING) {
          throw new IllegalArgumentException("label '" + abbreviate(key) + "' must be a JSON string, got "
              + describe(v) + " (write it in quotes)");
        }
        if (m.put(key, p.getText()) != null) throw new IllegalArgumentException("label '" + key + "' appears twice");
      }
      if (p.nextToken() != null) throw new IllegalArgumentException("text after the labels object");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("labels are not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return of(m);
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      default -> String.valueOf(t);
    };
  }

  public String toJson() {
    return json(java.util.function.UnaryOperator.identity());
  }

  /** Longest label key or value a log line shows whole; longer ones are cut, so logs do not grow with a client. */
  public static final int LOG_VALUE_CHARS = 64;

  /**
   * As {@link #toJson()}, with each key and value over {@link #LOG_VALUE_CHARS} characters cut and
   * marked with its length: {@code "aaaa…(1024 chars)"}. For log lines, never for the wire.
   */
  public String toLogString() {
    return json(v -> v.length() <= LOG_VALUE_CHARS ? v
        : v.substring(0, LOG_VALUE_CHARS) + "\u2026(" + v.length() + " chars)");
  }

  private String json(java.util.function.UnaryOperator<String> shown) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      for (var e : map.entrySet()) g.writeStringField(shown.apply(e.getKey()), shown.apply(e.getValue()));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  public SortedMap<String, String> asMap() {
    return map;
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(map.get(key));
  }

  public boolean isEmpty() {
    return map.isEmpty();
  }

  public int size() {
    return map.size();
  }

  /** The first key (in key order) both sets have with different values; empty when they match. */
  public Optional<String> conflictWith(Labels other) {
    Map<String, String> small = map.size() <= other.map.size() ? map : other.map;
    Map<String, String> big = small == map ? other.map : map;
    String first = null;
    for (var e : small.entrySet()) {
      String v = big.get(e.getKey());
      if (v != null && !v.equals(e.getValue()) && (first == null || e.getKey().compareTo(first) < 0)) first = e.getKey();
    }
    return Optional.ofNullable(first);
  }

  public boolean matches(Labels other) {
    return conflictWith(other).isEmpty();
  }

  /** Keys both sets have, with different values: what tells two matching targets apart. */
  public Set<String> keysDifferingFrom(Labels other) {
    Set<String> keys = new TreeSet<>();
    for (var e : map.entrySet()) {
      String v = other.map.get(e.getKey());
      if (v != null && !v.equals(e.getValue())) keys.add(e.getKey());
    }
    return keys;
  }

  /** Keys exactly one of the sets has. */
  public Set<String> keysInOnlyOne(Labels other) {
    Set<String> keys = new TreeSet<>();
    for (String k : map.keySet()) if (!other.map.containsKey(k)) keys.add(k);
    for (String k : other.map.keySet()) if (!map.containsKey(k)) keys.add(k);
    return keys;
  }

  /**
   * The union of two matching sets.
   *
   * @throws IllegalArgumentException naming the key if they do not match
   */
  public Labels merge(Labels other) {
    Optional<String> conflict = conflictWith(other);
    if (conflict.isPresent()) {
      String k = conflict.get();
      throw new IllegalArgumentException("label '" + k + "' is '" + map.get(k) + "' here and '"
          + other.map.get(k) + "' there");
    }
    if (other.map.isEmpty()) return this;
    if (map.isEmpty()) return other;
    TreeMap<String, String> m = new TreeMap<>(map);
    m.putAll(other.map);
    return new Labels(m);
  }

  /** This set with {@code key} set to {@code value}, replacing any value it had. */
  public Labels with(String key, String value) {
    check(key, value);
    TreeMap<String, String> m = new TreeMap<>(map);
    m.put(key, value);
    return new Labels(m);
  }

  /** This set without the given keys. */
  public Labels without(Set<String> keys) {
    TreeMap<String, String> m = new TreeMap<>(map);
    m.keySet().removeAll(keys);
    return m.size() == map.size() ? this : new Labels(m);
  }

  /** The keys of this set that are in {@code keys}. */
  public Set<String> keysIn(Set<String> keys) {
    Set<String> found = new TreeSet<>(map.keySet());
    found.retainAll(keys);
    return found;
  }

  /** The CapTP form: a Struct of strings. */
  public Map<String, Object> toValue() {
    return new TreeMap<>(map);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Labels l && l.map.equals(map);
  }

  @Override
  public int hashCode() {
    return map.hashCode();
  }

  @Override
  public String toString() {
    return toJson();
  }
}
