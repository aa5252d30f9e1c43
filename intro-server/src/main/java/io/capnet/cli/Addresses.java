package io.capnet.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/** Numeric socket addresses as Flower's tools take them: host:port, [v6]:port, or a unix path. */
final class Addresses {
  private Addresses() {}

  /** Either an internet address or a unix path. */
  record Address(InetSocketAddress inet, Path path) {
    String family() {
      return path != null ? "unix" : inet.getAddress() instanceof java.net.Inet6Address ? "inet6" : "inet";
    }
  }

  static Address parse(String text) {
    if (text.startsWith("/") || text.startsWith("./") || text.startsWith("../")) return new Address(null, Path.of(text));
    int colon = text.lastIndexOf(':');
    if (colon < 0) throw new IllegalArgumentException("address '" + text + "' is neither host:port, [v6]:port nor a path");
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    return new Address(new InetSocketAddress(numericHost(host, "address"), port(text.substring(colon + 1), "port")), null);
  }

  /** A numeric IPv4 or IPv6 literal; names are refused, so nothing is ever looked up. */
  static InetAddress numericHost(String host, String what) {
    boolean v4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = host.contains(":") && host.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+");
    if (!v4 && !v6) throw new IllegalArgumentException(what + " '" + host + "' is not a numeric IP address");
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(what + " '" + host + "' is not a numeric IP address");
    }
  }

  static int port(String text, String what) {
    if (!text.matches("\\d{1,5}")) throw new IllegalArgumentException(what + " '" + text + "' is not numeric");
    int p = Integer.parseInt(text);
    if (p > 65535) throw new IllegalArgumentException(what + " " + p + " is over 65535");
    return p;
  }
}
