package io.capnet.netlayer;

import java.io.IOException;
import java.security.SecureRandom;

/** Factories for the netlayers that live in this module. */
public final class Netlayers {
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Netlayers() {}

  /**
   * <b>INSECURE: plain TCP with no authentication or encryption, for interoperability tests
   * only; never make it a default.</b> The OCapN {@code tcp-testing-only} netlayer, listening on
   * {@code host:port} with a fresh random designator (32 lowercase base32 characters).
   *
   * @param port the port to listen on, or 0 for an ephemeral one; the locator carries the port
   *     actually bound
   * @throws IOException if it cannot listen there
   * @see #tcpTestingOnly(String, String, int)
   */
  public static Netlayer tcpTestingOnly(String host, int port) throws IOException {
    return tcpTestingOnly(randomDesignator(), host, port);
  }

  /**
   * <b>INSECURE: plain TCP with no authentication or encryption, for interoperability tests
   * only; never make it a default.</b> The OCapN {@code tcp-testing-only} netlayer: Syrup over
   * TCP, dialling length-prefixed ({@link SyrupFraming}), listening on {@code host:port} from the moment it returns. Its locator is
   * {@code ocapn://<designator>.tcp-testing-only?host=H&port=P}, with H the bound address as a
   * literal. Connections read with {@link io.capnet.codec.DecodeLimits#DEFAULT} and carry no
   * file descriptors; {@link Netlayer#connect} needs the {@code host} and {@code port} hints and
   * gives up after 10 seconds.
   *
   * @throws IOException if it cannot listen there
   */
  public static Netlayer tcpTestingOnly(String designator, String host, int port) throws IOException {
    return tcpTestingOnly(designator, host, port, SyrupFraming.LENGTH_PREFIXED);
  }

  /**
   * As {@link #tcpTestingOnly(String, String, int)}, dialling in {@code dialFraming}: {@link
   * SyrupFraming#LENGTH_PREFIXED} (the default, Endo's), {@link SyrupFraming#NETSTRING}, or {@link
   * SyrupFraming#BARE_SYRUP} for the OCapN test suite. The listener accepts all three and answers
   * in the one its peer used.
   */
  public static Netlayer tcpTestingOnly(String designator, String host, int port, SyrupFraming dialFraming)
      throws IOException {
    return new TcpTestingOnlyNetlayer(designator, host, port, dialFraming);
  }

  /** A fresh random designator: 32 lowercase base32 characters. */
  public static String randomDesignator() {
    char[] c = new char[32];
    for (int i = 0; i < c.length; i++) c[i] = BASE32[RANDOM.nextInt(32)];
    return new String(c);
  }
}
