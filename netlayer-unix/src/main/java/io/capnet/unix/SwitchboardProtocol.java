package io.capnet.unix;

import io.capnet.value.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** Names shared by the Switchboard daemon and its clients; spec/switchboard.md is the reference. */
public final class SwitchboardProtocol {
  private SwitchboardProtocol() {}

  /** The swiss number that fetches the handle a connection comes with (the root, or an fd handle's). */
  public static final Bytes CONNECTION_HANDLE = Bytes.of("capnet-switchboard-handle".getBytes(StandardCharsets.US_ASCII));

  /** The hint in the daemon's locator that names its socket path. */
  public static final String PATH_HINT = "path";

  /** Reserved labels the daemon sets from SO_PEERCRED of the caller. */
  public static final String CLIENT_UID = "client_uid";
  public static final String CLIENT_GID = "client_gid";
  public static final String CLIENT_PID = "client_pid";
  public static final String SERVER_UID = "server_uid";
  public static final String SERVER_GID = "server_gid";
  public static final String SERVER_PID = "server_pid";
  /** The designator a peer proved with {@code register-peer}: on its registration. */
  public static final String OCAPN_DESIGNATOR = "ocapn_designator";
  /** The designator the connecting client proved, when it did. */
  public static final String CLIENT_DESIGNATOR = "client_designator";

  /** Keys only the daemon sets on the client's side: refused in connect and out-labels. */
  public static final Set<String> CLIENT_RESERVED = Set.of(CLIENT_UID, CLIENT_GID, CLIENT_PID, CLIENT_DESIGNATOR);
  /** Keys only the daemon sets on the server's side: refused in serve and in-labels. */
  public static final Set<String> SERVER_RESERVED = Set.of(SERVER_UID, SERVER_GID, SERVER_PID, OCAPN_DESIGNATOR);
  /** Server-side keys that describe the process, not the service: not used to tell servers apart. */
  public static final Set<String> SERVER_CREDENTIALS = Set.of(SERVER_UID, SERVER_GID, SERVER_PID);

  /** What a peer signs with its key to register its designator (then the session id, then the key). */
  public static final byte[] REGISTER_PEER_CONTEXT = "capnet-switchboard-register-peer\0".getBytes(StandardCharsets.US_ASCII);

  /** The statement a peer signs: context, the 32-byte session id, the 32-byte public key. */
  public static byte[] registerPeerStatement(Bytes sessionId, Bytes publicKey) {
    byte[] ctx = REGISTER_PEER_CONTEXT;
    byte[] out = new byte[ctx.length + sessionId.length() + publicKey.length()];
    System.arraycopy(ctx, 0, out, 0, ctx.length);
    System.arraycopy(sessionId.toByteArray(), 0, out, ctx.length, sessionId.length());
    System.arraycopy(publicKey.toByteArray(), 0, out, ctx.length + sessionId.length(), publicKey.length());
    return out;
  }
}
