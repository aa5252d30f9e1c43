package io.capnet.unix;

import io.capnet.value.OcapnError;

/**
 * A Switchboard refusal. On the wire it is an OCapN error whose message starts with the code and
 * a colon, e.g. {@code "NOT_FOUND: no server matches {\"svc\":\"db\"}"}; {@link #code()} is the
 * parsed code and {@link #rawCode()} the text as received, even when this library does not know
 * it.
 */
public final class SwitchboardException extends Exception {
  /** Why the Switchboard refused. Written down in spec/switchboard.md. */
  public enum Code {
    /** The handle lacks a right, or the labels change a value the handle fixes. */
    PERMISSION_DENIED,
    /** Malformed arguments: a label value that is not a string, an unknown right, a reserved label. */
    INVALID_ARGUMENT,
    /** No server matches the labels. */
    NOT_FOUND,
    /** Several servers match, or a new server could not be told apart from one already registered. */
    AMBIGUOUS,
    /** The server did not take the connection before the deadline, refused it, or went away. */
    UNAVAILABLE,
    /** A bound was reached, such as pending connects per server. */
    RESOURCE_EXHAUSTED,
    /** A code this library does not know, or a failure with no code (such as a lost session). */
    UNKNOWN
  }

  private final Code code;
  private final String rawCode;

  public SwitchboardException(Code code, String message) {
    this(code, code.name(), message);
  }

  private SwitchboardException(Code code, String rawCode, String message) {
    super(rawCode + ": " + message);
    this.code = code;
    this.rawCode = rawCode;
  }

  public Code code() {
    return code;
  }

  public String rawCode() {
    return rawCode;
  }

  /** The message without its code. */
  public String detail() {
    return getMessage().substring(rawCode.length() + 2);
  }

  /** The wire form: an OCapN error carrying {@code "CODE: detail"}. */
  public OcapnError toError() {
    return new OcapnError(getMessage());
  }

  /** Parses a broken promise's reason; a reason with no code is {@link Code#UNKNOWN}. */
  public static SwitchboardException from(Object reason) {
    String text = reason instanceof OcapnError e ? e.message() : String.valueOf(reason);
    int colon = text.indexOf(": ");
    if (colon > 0 && text.substring(0, colon).matches("[A-Z_]+")) {
      String raw = text.substring(0, colon);
      Code code = Code.UNKNOWN;
      for (Code c : Code.values()) if (c.name().equals(raw)) code = c;
      return new SwitchboardException(code, raw, text.substring(colon + 2));
    }
    return new SwitchboardException(Code.UNKNOWN, "UNKNOWN", text);
  }
}
