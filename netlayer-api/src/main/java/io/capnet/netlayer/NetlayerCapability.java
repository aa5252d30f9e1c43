package io.capnet.netlayer;

/** Optional things a netlayer or connection can do. */
public enum NetlayerCapability {
  /** Carries {@link io.capnet.value.Descriptor} values (open file descriptors) beside frames. */
  DESCRIPTORS,
  /** The transport itself proves the remote peer's designator (e.g. by a TLS key). */
  AUTHENTICATED_PEER
}
