package io.capnet.locator;

import io.capnet.locator.LocatorException.Reason;
import io.capnet.value.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The URI form of locators: the parser and the printer of {@code spec/locators.md}. */
final class UriForm {
  private UriForm() {}

  static final String SCHEME = "ocapn";
  static final String STURDYREF_PATH = "/s/";

  /** A parsed URI. {@code swiss} is null for a peer locator URI. */
  record Parsed(String designator, String transport, Map<String, String> hints, Bytes swiss) {}

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  // ---- printing ------------------------------------------------------------------------------

  static String print(PeerLocator peer, Bytes swiss) {
    StringBuilder sb = new StringBuilder(64);
    sb.append(SCHEME).append("://");
    encodeText(peer.designator(), sb);
    sb.append('.');
    encodeText(peer.transport(), sb);
    if (swiss != null) {
      sb.append(STURDYREF_PATH);
      encodeBytes(swiss.toByteArray(), sb);
    }
    appendHints(peer.hints(), sb);
    return sb.toString();
  }

  static void appendHints(Map<String, String> hints, StringBuilder sb) {
    char sep = '?';
    for (Map.Entry<String, String> e : hints.entrySet()) {
      sb.append(sep);
      encodeText(e.getKey(), sb);
      sb.append('=');
      encodeText(e.getValue(), sb);
      sep = '&';
    }
  }

  private static void encodeText(String s, StringBuilder sb) {
    encodeBytes(s.getBytes(StandardCharsets.UTF_8), sb);
  }

  /** Every byte outside RFC 3986 unreserved characters becomes {@code %XX}, uppercase hex. */
  private static void encodeBytes(byte[] bytes, StringBuilder sb) {
    for (byte b : bytes) {
      int c = b & 0xff;
      if (isUnreserved(c)) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
  }

  // ---- parsing -------------------------------------------------------------------------------

  static Parsed parse(String uri) {
    int colon = uri.indexOf(':');
    if (colon < 0) {
      throw new LocatorException(
          Reason.NOT_OCAPN_SCHEME, "no scheme: an OCapN locator starts with \"ocapn://\"");
    }
    String scheme = uri.substring(0, colon);
    if (!asciiEqualsIgnoreCase(scheme, SCHEME)) {
      // Quote only a real scheme: anything else might be part of a sturdyref.
      throw new LocatorException(
          Reason.NOT_OCAPN_SCHEME,
          isScheme(scheme)
              ? "scheme " + quote(scheme) + " is not \"ocapn\""
              : "no scheme: an OCapN locator starts with \"ocapn://\"");
    }
    if (!uri.startsWith("//", colon + 1)) {
      throw new LocatorException(
          Reason.MISSING_AUTHORITY, "\"ocapn:\" must be followed by \"//\"");
    }
    int start = colon + 3;
    int hash = uri.indexOf('#', start);
    if (hash >= 0) {
      throw new LocatorException(
          Reason.FRAGMENT, "locators have no fragment, got " + quote(uri.substring(hash)));
    }
    int query = uri.indexOf('?', start);
    int end = query < 0 ? uri.length() : query;
    int slash = uri.indexOf('/', start);
    int authorityEnd = slash >= 0 && slash < end ? slash : end;

    String authority = uri.substring(start, authorityEnd);
    String path = uri.substring(authorityEnd, end);

    // Authority: <designator>.<transport>, split at the last '.'.
    for (int i = 0; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c == '@' || c == ':') {
        throw new LocatorException(
            Reason.USERINFO_OR_PORT,
            "the authority " + quote(authority) + " has " + (c == '@' ? "userinfo ('@')" : "a port (':')")
                + "; it must be <designator>.<transport>");
      }
      if (!(isUnreserved(c) || isSubDelim(c) || c == '%')) {
        throw badChar(c, "the authority");
      }
    }
    int dot = authority.lastIndexOf('.');
    if (dot < 0) {
      throw new LocatorException(
          Reason.MISSING_TRANSPORT,
          "the authority " + quote(authority) + " has no '.' before a transport");
    }
    if (dot == authority.length() - 1) {
      throw new LocatorException(
          Reason.MISSING_TRANSPORT, "nothing follows the last '.' in " + quote(authority));
    }
    if (dot == 0) {
      throw new LocatorException(
          Reason.EMPTY_DESIGNATOR, "nothing precedes the last '.' in " + quote(authority));
    }
    String designator = decodeText(authority.substring(0, dot), "the designator");
    String transport = decodeText(authority.substring(dot + 1), "the transport");
    if (transport.indexOf('.') >= 0) {
      throw new LocatorException(
          Reason.BAD_TRANSPORT, "the transport " + quote(transport) + " contains '.'");
    }

    Bytes swiss = null;
    if (!path.isEmpty()) {
      if (!path.startsWith(STURDYREF_PATH)) {
        throw new LocatorException(
            Reason.BAD_PATH,
            "the path must be empty or \"/s/<swiss-number>\", got " + quote(shortPathHead(path)));
      }
      String segment = path.substring(STURDYREF_PATH.length());
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        if (c == '/') {
          throw new LocatorException(
              Reason.BAD_PATH,
              "the swiss number is one path segment; a '/' follows it (write '/' in a swiss number as %2F)");
        }
        if (!(isPchar(c) || c == '%')) {
          throw badChar(c, "the swiss number");
        }
      }
      swiss = Bytes.adopt(decodeBytes(segment, "the swiss number"));
    }

    Map<String, String> hints = Map.of();
    if (query >= 0 && query + 1 < uri.length()) {
      hints = parseQuery(uri.substring(query + 1));
    }
    return new Parsed(designator, transport, hints, swiss);
  }

  private static Map<String, String> parseQuery(String q) {
    for (int i = 0; i < q.length(); i++) {
      char c = q.charAt(i);
      if (!(isPchar(c) || c == '/' || c == '?' || c == '%')) {
        throw badChar(c, "the query");
      }
    }
    LinkedHashMap<String, String> hints = new LinkedHashMap<>();
    int from = 0;
    while (true) {
      int amp = q.indexOf('&', from);
      int to = amp < 0 ? q.length() : amp;
      String part = q.substring(from, to);
      if (part.isEmpty()) {
        throw new LocatorException(
            Reason.BAD_QUERY, "empty hint at character " + from + " of the query " + quote(q));
      }
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new LocatorException(
            Reason.BAD_QUERY, "the hint " + quote(part) + " has no '=' (write an empty value as \"name=\")");
      }
      String name = decodeText(part.substring(0, eq), "a hint name");
      String value = decodeText(part.substring(eq + 1), "the value of hint " + quote(name));
      if (name.isEmpty()) {
        throw new LocatorException(Reason.EMPTY_HINT_NAME, "the hint " + quote(part) + " has an empty name");
      }
      if (hints.putIfAbsent(name, value) != null) {
        throw new LocatorException(Reason.DUPLICATE_HINT, "the hint " + quote(name) + " appears twice");
      }
      if (amp < 0) break;
      from = amp + 1;
    }
    return Collections.unmodifiableMap(hints);
  }

  private static String decodeText(String raw, String what) {
    byte[] bytes = decodeBytes(raw, what);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new LocatorException(
          Reason.INVALID_UTF8, what + " " + quote(raw) + " does not percent-decode to UTF-8");
    }
  }

  /**
   * Percent-decodes {@code raw}, whose characters are already checked to be ASCII URI characters.
   * The message quotes only the bad escape: {@code raw} may be a swiss number.
   */
  private static byte[] decodeBytes(String raw, String what) {
    byte[] out = new byte[raw.length()];
    int n = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        out[n++] = (byte) c;
        continue;
      }
      if (i + 2 >= raw.length() || !isAsciiHex(raw.charAt(i + 1)) || !isAsciiHex(raw.charAt(i + 2))) {
        String escape = raw.substring(i, Math.min(raw.length(), i + 3));
        throw new LocatorException(
            Reason.BAD_PERCENT_ENCODING,
            "bad escape " + quote(escape) + " in " + what + ": '%' must be followed by two hex digits");
      }
      out[n++] = (byte) (Character.digit(raw.charAt(i + 1), 16) << 4 | Character.digit(raw.charAt(i + 2), 16));
      i += 2;
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  private static LocatorException badChar(char c, String where) {
    String shown =
        Character.isSurrogate(c) || c < 0x20 || c == 0x7f || c == ' ' || c > 0x7e
            ? String.format("U+%04X", (int) c)
            : "'" + c + "'";
    return new LocatorException(
        Reason.INVALID_CHARACTER,
        shown + " may not appear in " + where + "; percent-encode it");
  }

  private static String shortPathHead(String path) {
    // Never quote what could be a swiss number: only up to the second '/'.
    int second = path.indexOf('/', 1);
    return second < 0 ? path : path.substring(0, second + 1) + "...";
  }

  // ---- character classes (RFC 3986) -----------------------------------------------------------

  static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  private static boolean isSubDelim(int c) {
    return "!$&'()*+,;=".indexOf(c) >= 0;
  }

  private static boolean isPchar(int c) {
    return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@';
  }

  private static boolean isAsciiHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** RFC 3986: {@code ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )}. */
  private static boolean isScheme(String s) {
    if (s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!(alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))) {
        return false;
      }
    }
    return true;
  }

  private static boolean asciiEqualsIgnoreCase(String s, String lower) {
    if (s.length() != lower.length()) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') c = (char) (c + ('a' - 'A'));
      if (c != lower.charAt(i)) return false;
    }
    return true;
  }

  // ---- messages --------------------------------------------------------------------------------

  private static final int QUOTE_MAX = 80;

  /** {@code s} in double quotes, control characters escaped, cut at 80 characters. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), QUOTE_MAX) + 8).append('"');
    int n = Math.min(s.length(), QUOTE_MAX);
    if (n < s.length() && Character.isHighSurrogate(s.charAt(n - 1))) n--;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20 || c == 0x7f || (Character.isSurrogate(c) && !pairedAt(s, i))) {
        sb.append(String.format("\\u%04x", (int) c));
      } else sb.append(c);
    }
    if (n < s.length()) sb.append("...");
    return sb.append('"').toString();
  }

  private static boolean pairedAt(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
