package io.capnet.tcptls;

import io.capnet.codec.DecodeLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of a tcp-tls netlayer; {@link #DEFAULT} unless there is a reason.
 *
 * @param handshakeTimeout a TLS handshake, in either direction, that has not finished in this
 *     time is closed (default 10 s)
 * @param connectTimeout how long {@code connect} waits for the TCP connection (default 10 s)
 * @param limits the decode limits of every connection's CBOR codec; frames are bounded by
 *     {@code maxValueBytes} (default {@link DecodeLimits#DEFAULT})
 * @param maxHandshakes the most accepted connections still handshaking at once; one more is
 *     closed at once, and the listener goes on (default 1,024; each holds about 50 KB until it
 *     finishes or {@code handshakeTimeout})
 */
public record TcpTlsOptions(Duration handshakeTimeout, Duration connectTimeout, DecodeLimits limits,
    int maxHandshakes) {
  public static final TcpTlsOptions DEFAULT =
      new TcpTlsOptions(Duration.ofSeconds(10), Duration.ofSeconds(10), DecodeLimits.DEFAULT, 1024);

  public TcpTlsOptions {
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(limits, "limits");
    positiveMillis(handshakeTimeout, "handshakeTimeout");
    positiveMillis(connectTimeout, "connectTimeout");
    if (maxHandshakes < 1) throw new IllegalArgumentException("maxHandshakes must be positive, got " + maxHandshakes);
  }

  private static void positiveMillis(Duration d, String name) {
    if (d.toMillis() < 1 || d.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " must be between 1 ms and " + Integer.MAX_VALUE + " ms, got " + d);
    }
  }

  public TcpTlsOptions withHandshakeTimeout(Duration v) {
    return new TcpTlsOptions(v, connectTimeout, limits, maxHandshakes);
  }

  public TcpTlsOptions withConnectTimeout(Duration v) {
    return new TcpTlsOptions(handshakeTimeout, v, limits, maxHandshakes);
  }

  public TcpTlsOptions withLimits(DecodeLimits v) {
    return new TcpTlsOptions(handshakeTimeout, connectTimeout, v, maxHandshakes);
  }

  public TcpTlsOptions withMaxHandshakes(int v) {
    return new TcpTlsOptions(handshakeTimeout, connectTimeout, limits, v);
  }
}
