package io.capnet.codec;

import java.io.IOException;
import java.util.Objects;

/**
 * Input that breaks a wire rule or a limit. It names the {@link Rule} and the byte offset
 * (from the start of the value, frame or stream) where the offending item begins.
 */
public final class DecodeException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What was wrong. {@link #code()} is the stable name used in logs and abort reasons. */
  public enum Rule {
    TRUNCATED("truncated"),
    TRAILING_BYTES("trailing-bytes"),
    VALUE_TOO_LARGE("value-too-large"),
    DEPTH_EXCEEDED("depth-exceeded"),
    COLLECTION_TOO_LONG("collection-too-long"),
    STRING_TOO_LONG("string-too-long"),
    BYTES_TOO_LONG("bytes-too-long"),
    INVALID_UTF8("invalid-utf8"),
    DUPLICATE_KEY("duplicate-key"),
    INVALID_KEY("invalid-key"),
    UNKNOWN_TAG("unknown-tag"),
    UNEXPECTED_BYTE("unexpected-byte"),
    MALFORMED_NUMBER("malformed-number"),
    INTEGER_TOO_LARGE("integer-too-large"),
    MALFORMED_VALUE("malformed-value"),
    UNSUPPORTED_TYPE("unsupported-type"),
    DESCRIPTOR_SLOT("descriptor-slot"),
    TOO_MANY_ITEMS("too-many-items");

    private final String code;

    Rule(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }

    /** The rule with this code, or null. */
    public static Rule fromCode(String code) {
      for (Rule r : values()) {
        if (r.code.equals(code)) return r;
      }
      return null;
    }
  }

  private final Rule rule;
  private final long offset;
  private final String detail;

  public DecodeException(Rule rule, long offset, String detail) {
    this(rule, offset, detail, null);
  }

  public DecodeException(Rule rule, long offset, String detail, Throwable cause) {
    super(rule.code() + " at byte " + offset + ": " + detail, cause);
    this.rule = Objects.requireNonNull(rule);
    this.offset = offset;
    this.detail = detail;
  }

  public Rule rule() {
    return rule;
  }

  public long offset() {
    return offset;
  }

  /** The human-readable part of the message, without rule and offset. */
  public String detail() {
    return detail;
  }
}
