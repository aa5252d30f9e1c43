package io.capnet.switchboard;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.value.Bytes;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The sturdyrefs the daemon minted: for each, the handle it designates (rights, labels) and the
 * salted SHA-256 of its swiss number. The swiss number itself is never kept, in memory or on disk:
 * a fetch hashes the number it presents. With a {@link StateDir} every change is on disk before
 * it is acknowledged; without one the table lives as long as the daemon. Runs in the daemon's vat.
 */
final class SturdyrefTable {
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern ID = Pattern.compile("[0-9a-f]{16}|root");
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  /**
   * One minted sturdyref. {@code handle} names the handle it designates (several sturdyrefs may
   * designate one handle, which is then one object again after a restart); {@code minter} the
   * handle that made it, the only one that lists and drops it.
   */
  record Entry(String id, String hash, String handle, String minter, Set<Right> rights, Labels in, Labels out) {
    String toJson() {
      StringWriter w = new StringWriter();
      try (JsonGenerator g = JSON.createGenerator(w)) {
        g.writeStartObject();
        g.writeNumberField("version", 1);
        g.writeStringField("id", id);
        g.writeStringField("hash", hash);
        g.writeStringField("handle", handle);
        g.writeStringField("minter", minter);
        g.writeArrayFieldStart("rights");
        for (String r : Right.names(rights)) g.writeString(r);
        g.writeEndArray();
        g.writeFieldName("in");
        g.writeRawValue(in.toJson());
        g.writeFieldName("out");
        g.writeRawValue(out.toJson());
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return w.toString();
    }

    /** Parses {@link #toJson()}; refuses, naming the field, anything else. */
    static Entry fromJson(String text) {
      Map<String, Object> fields = new HashMap<>();
      try (JsonParser p = JSON.createParser(text)) {
        if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("not a JSON object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken t = p.nextToken();
          Object value = switch (name) {
            case "version" -> t == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : null;
            case "id", "hash", "handle", "minter" -> t == JsonToken.VALUE_STRING ? p.getText() : null;
            case "rights" -> {
              if (t != JsonToken.START_ARRAY) yield null;
              List<String> names = new ArrayList<>();
              while (p.nextToken() == JsonToken.VALUE_STRING) names.add(p.getText());
              yield p.currentToken() == JsonToken.END_ARRAY ? names : null;
            }
            case "in", "out" -> {
              if (t != JsonToken.START_OBJECT) yield null;
              StringWriter raw = new StringWriter();
              try (JsonGenerator g = JSON.createGenerator(raw)) {
                g.copyCurrentStructure(p);
              }
              yield raw.toString();
            }
            default -> throw new IllegalArgumentException("unknown field \"" + name + "\"");
          };
          if (value == null) throw new IllegalArgumentException("field \"" + name + "\" has the wrong type");
          if (fields.put(name, value) != null) throw new IllegalArgumentException("field \"" + name + "\" appears twice");
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
          throw new IllegalArgumentException("not one JSON object");
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
      }
      for (String f : List.of("version", "id", "hash", "handle", "minter", "rights", "in", "out")) {
        if (!fields.containsKey(f)) throw new IllegalArgumentException("field \"" + f + "\" is missing");
      }
      if (!fields.get("version").equals(1)) throw new IllegalArgumentException("version " + fields.get("version") + " is not 1");
      String id = (String) fields.get("id");
      String hash = (String) fields.get("hash");
      String handle = (String) fields.get("handle");
      String minter = (String) fields.get("minter");
      if (!ID.matcher(id).matches() || id.equals("root")) throw new IllegalArgumentException("id \"" + id + "\" is not 16 hex digits");
      if (!HASH.matcher(hash).matches()) throw new IllegalArgumentException("hash is not 64 hex digits");
      if (!ID.matcher(handle).matches()) throw new IllegalArgumentException("handle \"" + handle + "\" is not 16 hex digits or root");
      if (!ID.matcher(minter).matches()) throw new IllegalArgumentException("minter \"" + minter + "\" is not 16 hex digits or root");
      @SuppressWarnings("unchecked")
      List<String> rightNames = (List<String>) fields.get("rights");
      Set<Right> rights = rightNames.isEmpty() ? EnumSet.noneOf(Right.class) : Right.parse(rightNames);
      Labels in = Labels.parseJson((String) fields.get("in"));
      Labels out = Labels.parseJson((String) fields.get("out"));
      if (handle.equals("root") && (!rights.equals(Right.ALL) || !in.isEmpty() || !out.isEmpty())) {
        throw new IllegalArgumentException("the root handle has every right and no labels");
      }
      return new Entry(id, hash, handle, minter, rights, in, out);
    }

    /** What {@code minted} answers: never the hash. */
    Map<String, Object> toValue() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("rights", Right.names(rights));
      m.put("in", in.toValue());
      m.put("out", out.toValue());
      return m;
    }
  }

  private final StateDir state; // null: kept in memory only
  private final byte[] salt;
  private final int maxPerHandle;
  private final Map<String, Entry> byHash = new HashMap<>();
  private final Map<String, Entry> byId = new LinkedHashMap<>();
  private final Map<String, Integer> perMinter = new HashMap<>();

  SturdyrefTable(StateDir state, int maxPerHandle) {
    this.state = state;
    this.maxPerHandle = maxPerHandle;
    if (state != null) {
      salt = state.salt;
      for (Entry e : state.entries) add(e);
    } else {
      salt = new byte[32];
      RANDOM.nextBytes(salt);
    }
  }

  static String newId() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  String hash(Bytes swiss) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(salt);
      d.update(swiss.toByteArray());
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  /**
   * Records a fresh sturdyref for {@code handle} made by {@code minter}, and returns its swiss
   * number: the one time it exists in the daemon.
   *
   * @throws io.capnet.captp.BrokenException RESOURCE_EXHAUSTED when {@code minter} already made
   *     {@code maxSturdyrefsPerHandle}; UNAVAILABLE when the state dir cannot be written
   */
  Bytes mint(String handle, String minter, Set<Right> rights, Labels in, Labels out) {
    int made = perMinter.getOrDefault(minter, 0);
    if (made >= maxPerHandle) {
      throw Errors.of(io.capnet.unix.SwitchboardException.Code.RESOURCE_EXHAUSTED, "this handle already made "
          + made + " sturdyrefs (maxSturdyrefsPerHandle " + maxPerHandle + "); drop one first");
    }
    byte[] swiss = new byte[32];
    RANDOM.nextBytes(swiss);
    Bytes s = Bytes.of(swiss);
    Entry e = new Entry(newId(), hash(s), handle, minter, rights, in, out);
    if (state != null) {
      try {
        state.write(e);
      } catch (IOException ex) {
        throw Errors.of(io.capnet.unix.SwitchboardException.Code.UNAVAILABLE,
            "could not record the sturdyref in the state dir: " + ex.getMessage());
      }
    }
    add(e);
    return s;
  }

  private void add(Entry e) {
    byHash.put(e.hash(), e);
    byId.put(e.id(), e);
    perMinter.merge(e.minter(), 1, Integer::sum);
  }

  Entry find(Bytes swiss) {
    return byHash.get(hash(swiss));
  }

  Entry byId(String id) {
    return byId.get(id);
  }

  /** Forgets {@code e}, on disk first: a drop that fails leaves it working, never half-dropped. */
  void remove(Entry e) {
    if (state != null) {
      try {
        state.delete(e.id());
      } catch (IOException ex) {
        throw Errors.of(io.capnet.unix.SwitchboardException.Code.UNAVAILABLE,
            "could not remove the sturdyref from the state dir: " + ex.getMessage());
      }
    }
    byHash.remove(e.hash());
    byId.remove(e.id());
    perMinter.computeIfPresent(e.minter(), (k, n) -> n == 1 ? null : n - 1);
  }

  boolean designates(String handle) {
    for (Entry e : byId.values()) if (e.handle().equals(handle)) return true;
    return false;
  }

  List<Entry> mintedBy(String minter) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : byId.values()) if (e.minter().equals(minter)) out.add(e);
    return out;
  }

  int size() {
    return byId.size();
  }
}
