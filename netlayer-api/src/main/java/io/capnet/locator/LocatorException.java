package io.capnet.locator;

import java.util.Objects;

/**
 * A locator URI or record that breaks a rule of {@code spec/locators.md}, or arguments that
 * cannot form a locator. {@link #reason()} names the rule; its {@link Reason#code() code} is
 * stable and is what {@code spec/vectors/locators.json} uses. The message quotes the offending
 * part of the input, never a whole sturdyref URI (the swiss number is a secret).
 */
public final class LocatorException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** What was wrong. */
  public enum Reason {
    /** The scheme is missing or is not {@code ocapn} (compared ASCII case-insensitively). */
    NOT_OCAPN_SCHEME("not-ocapn-scheme"),
    /** {@code ocapn:} is not followed by {@code //}. */
    MISSING_AUTHORITY("missing-authority"),
    /** The authority has userinfo ({@code @}) or a port ({@code :}). */
    USERINFO_OR_PORT("userinfo-or-port"),
    /** A character that RFC 3986 does not allow in that part of the URI (space, non-ASCII...). */
    INVALID_CHARACTER("invalid-character"),
    /** The designator is empty. */
    EMPTY_DESIGNATOR("empty-designator"),
    /** There is no {@code .} in the authority, or nothing after the last one. */
    MISSING_TRANSPORT("missing-transport"),
    /** The transport contains a {@code .} (only possible through {@code %2E} or the API). */
    BAD_TRANSPORT("bad-transport"),
    /** The path is neither empty nor {@code /s/<swiss>}. */
    BAD_PATH("bad-path"),
    /** The URI has a fragment ({@code #}). */
    FRAGMENT("fragment"),
    /** A query part is empty or has no {@code =}. */
    BAD_QUERY("bad-query"),
    /** A hint name is empty. */
    EMPTY_HINT_NAME("empty-hint-name"),
    /** Two hints have the same name (after percent-decoding). */
    DUPLICATE_HINT("duplicate-hint"),
    /** A {@code %} not followed by two hex digits. */
    BAD_PERCENT_ENCODING("bad-percent-encoding"),
    /** Percent-decoded bytes of a text component are not UTF-8. */
    INVALID_UTF8("invalid-utf8"),
    /** A Java string given to the API has an unpaired surrogate, so it has no UTF-8 form. */
    ILL_FORMED_STRING("ill-formed-string"),
    /** A sturdyref where a peer locator was asked for, or the other way round. */
    WRONG_KIND("wrong-kind"),
    /** A record form of the wrong shape: label, number of fields, or field types. */
    BAD_RECORD("bad-record");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    /** The stable name, e.g. {@code "duplicate-hint"}. */
    public String code() {
      return code;
    }

    /** The reason with this code, or null. */
    public static Reason fromCode(String code) {
      for (Reason r : values()) {
        if (r.code.equals(code)) return r;
      }
      return null;
    }
  }

  private final Reason reason;
  private final String detail;

  public LocatorException(Reason reason, String detail) {
    super(Objects.requireNonNull(reason, "reason").code() + ": " + detail);
    this.reason = reason;
    this.detail = detail;
  }

  public Reason reason() {
    return reason;
  }

  /** The message without the reason code. */
  public String detail() {
    return detail;
  }
}
