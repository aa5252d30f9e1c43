package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Connection} that forwards every call to another, for netlayers that add a fact (a
 * proven designator, an attachment) or change one call, without restating the rest.
 */
public abstract class ForwardingConnection implements Connection {
  protected final Connection delegate;

  protected ForwardingConnection(Connection delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public Codec codec() {
    return delegate.codec();
  }

  @Override
  public Object receive() throws IOException {
    return delegate.receive();
  }

  @Override
  public void send(byte[] message, List<Descriptor> descriptors) throws IOException {
    delegate.send(message, descriptors);
  }

  @Override
  public void flush() throws IOException {
    delegate.flush();
  }

  @Override
  public boolean supports(NetlayerCapability capability) {
    return delegate.supports(capability);
  }

  @Override
  public Optional<String> authenticatedDesignator() {
    return delegate.authenticatedDesignator();
  }

  @Override
  public Optional<PeerCredentials> peerCredentials() {
    return delegate.peerCredentials();
  }

  @Override
  public String description() {
    return delegate.description();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  /** Attaches the delegate: a subclass that changes {@code receive} must override this too. */
  @Override
  public Link attach(EventLoop loop, Link.Receiver receiver) throws IOException {
    return delegate.attach(loop, receiver);
  }

  @Override
  public String toString() {
    return description();
  }
}
