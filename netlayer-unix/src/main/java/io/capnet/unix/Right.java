package io.capnet.unix;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a Switchboard handle may do. A handle's rights only shrink: {@code constrain} may keep
 * some of them, never add one. On the wire a right is its name, e.g. {@code "CLIENT_CONNECT"}.
 */
public enum Right {
  /** {@code connect}: reach a server (or egress) by labels. */
  CLIENT_CONNECT,
  /** {@code serve} and {@code register-peer}: receive connections by labels. */
  SERVER_START,
  /** Push an accepted socket to a server (ingress processes). */
  INGRESS_CONNECT,
  /** Register a process that makes outgoing connections for clients. */
  EGRESS_START,
  /** Register a process that resolves names into address labels. */
  RESOLVER_START,
  /** {@code list} and {@code watch}: see the servers a handle can reach. */
  LIST;

  public static final Set<Right> ALL = EnumSet.allOf(Right.class);

  /**
   * Parses rights by name, refusing unknown names with a message that lists them.
   *
   * @throws IllegalArgumentException naming every unknown right
   */
  public static Set<Right> parse(List<?> names) {
    Set<Right> rights = EnumSet.noneOf(Right.class);
    List<String> unknown = new java.util.ArrayList<>();
    for (Object n : names) {
      Right r = n instanceof String s ? byName(s) : null;
      if (r == null) unknown.add(String.valueOf(n));
      else rights.add(r);
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown rights " + unknown + "; the rights are " + ALL);
    }
    return rights;
  }

  private static Right byName(String name) {
    for (Right r : values()) if (r.name().equals(name)) return r;
    return null;
  }

  /** Names, in declaration order, for the wire. */
  public static List<String> names(Set<Right> rights) {
    return EnumSet.copyOf(rights.isEmpty() ? EnumSet.noneOf(Right.class) : rights).stream()
        .map(Enum::name).collect(Collectors.toList());
  }
}
