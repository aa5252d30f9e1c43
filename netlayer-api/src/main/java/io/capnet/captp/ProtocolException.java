package io.capnet.captp;

/** A peer broke the protocol; the message is the op:abort reason. Never leaves the package. */
final class ProtocolException extends Exception {
  ProtocolException(String reason) {
    super(reason, null, false, false);
  }
}
