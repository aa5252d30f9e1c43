package io.capnet.switchboard;

import io.capnet.captp.BrokenException;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.captp.SessionInfo;
import io.capnet.captp.SessionLimits;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.PeerCredentials;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.SwitchboardException.Code;
import io.capnet.unix.SwitchboardProtocol;
import io.capnet.unix.UnixLimits;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * The Switchboard daemon: listens on an AF_UNIX socket, runs a CapTP session (CBOR, with fd
 * passing) per client, and introduces clients to servers by labels. See spec/switchboard.md.
 *
 * <pre>{@code
 * try (SwitchboardDaemon d = SwitchboardDaemon.builder().socketPath(path).start()) { ... }
 * }</pre>
 */
public final class SwitchboardDaemon implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("io.capnet.switchboard");

  /** Which connections to the daemon's socket get the root handle. */
  public enum RootPolicy {
    /** Only processes running as the daemon's own uid (the default). */
    SAME_UID,
    /** Every process that can open the socket. */
    ANY_UID,
    /** Nobody: every handle comes from a sturdyref or an fd. */
    NONE
  }

  private final Path socketPath;
  private final AFUNIXServerSocketChannel server;
  private final RootPolicy rootPolicy;
  private final long ownUid;
  private final DaemonNetlayer netlayer;
  private final Peer peer;
  private final SwitchboardCore core;
  private final Handle root;
  private final ScheduledExecutorService timer;
  private final Bound bound; // removed on close; null for an inherited socket
  private final StateDir state; // null without --state-dir
  private final io.capnet.tcptls.TlsIdentity identity;
  private final UdsIntroductions uds;

  private SwitchboardDaemon(Builder b, AFUNIXServerSocketChannel server, Bound bound, StateDir state) throws IOException {
    this.server = server;
    this.socketPath = bound == null ? null : bound.path();
    this.bound = b.socketPath != null ? bound : null;
    this.state = state;
    this.rootPolicy = b.rootPolicy;
    this.ownUid = ownUid();
    // With a state dir the key, and so every sturdyref's designator, outlives the process.
    // The same key proves the daemon in the introduction protocol (spec/uds.md section 5).
    this.identity = state != null ? state.identity : io.capnet.tcptls.TlsIdentity.generate();
    String designator = identity.designator();
    PeerLocator locator = socketPath == null ? PeerLocator.of(designator, "unix")
        : PeerLocator.of(designator, "unix", Map.of(SwitchboardProtocol.PATH_HINT, socketPath.toString()));
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "switchboard-timer");
      t.setDaemon(true);
      return t;
    });
    this.netlayer = new DaemonNetlayer(server, locator, b.unixLimits, new Admission(b.admission),
        b.sessionLimits.startTimeout());
    this.peer = Peer.builder().name("switchboard").netlayer(netlayer).limits(b.sessionLimits)
        .independentIncomingSessions().swissResolver(this::connectionHandle).build();
    SwitchboardCore.SocketMaker sockets = new SwitchboardCore.SocketMaker() {
      @Override
      public Descriptor[] pair() throws IOException {
        UnixSockets.Pair p = UnixSockets.pair();
        return new Descriptor[] {p.first(), p.second()};
      }

      @Override
      public void serveHandleSocket(Descriptor daemonEnd, Handle handle) throws IOException {
        netlayer.serve(UnixSockets.channel(daemonEnd), handle);
      }
    };
    SturdyrefTable table = new SturdyrefTable(state, b.maxSturdyrefsPerHandle);
    this.core = new SwitchboardCore(peer, sockets, timer, b.callDeadline, b.maxPendingConnects, table);
    this.uds = new UdsIntroductions(core, peer, identity, b.udsSignatureForm, timer, b.callDeadline,
        b.sessionLimits.startTimeout());
    netlayer.uds.complete(uds);
    this.root = inVat(() -> {
      Handle r = core.newHandle(Right.ALL, Labels.empty(), Labels.empty());
      core.root(r);
      return r;
    });
    LOG.log(Level.INFO, "switchboard listening on " + (socketPath == null ? "an inherited socket" : socketPath)
        + " as " + locator.toUri() + (state == null ? "" : " with the state dir " + state.dir + " ("
            + table.size() + " sturdyrefs)"));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The socket path, or null when serving an inherited socket. */
  public Path socketPath() {
    return socketPath;
  }

  /** The daemon's own locator; its sturdyrefs name it. */
  public PeerLocator locator() {
    return peer.locator();
  }

  /** How many servers are registered now. */
  public int registrations() {
    return inVat(core::registrations);
  }

  /** How many peers are registered through the introduction protocol (spec/uds.md) now. */
  public int udsRegistrations() {
    return uds.registrations();
  }

  /** The daemon's designator in the introduction protocol: the base32 of the key it proves there. */
  public String designator() {
    return identity.designator();
  }

  /** The root handle as a sturdyref, for tests and for a parent that starts children. */
  public String rootSturdyref() {
    return inVat(() -> core.sturdyref(root));
  }

  private Ref connectionHandle(Bytes swiss) {
    if (!swiss.equals(SwitchboardProtocol.CONNECTION_HANDLE)) return core.resolve(swiss);
    SessionInfo caller = Peer.caller().orElseThrow();
    if (caller.connection() instanceof DaemonNetlayer.HandleConnection hc) return hc.handle().self;
    PeerCredentials creds = caller.peerCredentials().orElse(null);
    boolean root = switch (rootPolicy) {
      case ANY_UID -> true;
      case SAME_UID -> creds != null && creds.uid() == ownUid;
      case NONE -> false;
    };
    if (root) return this.root.self;
    throw new BrokenException(new io.capnet.unix.SwitchboardException(Code.PERMISSION_DENIED,
        (creds == null ? "this connection has no peer credentials" : "uid " + creds.uid()
            + " does not get the root handle (policy " + rootPolicy + ")")
            + "; fetch a handle by its sturdyref").toError());
  }

  private <T> T inVat(java.util.function.Supplier<T> task) {
    return InVat.call(peer::execute, task);
  }


  @Override
  public void close() {
    peer.close();
    timer.shutdownNow();
    if (state != null) state.close();
    try {
      server.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "closing the listening socket", e);
    }
    if (bound != null) {
      try {
        bound.remove();
      } catch (IOException e) {
        LOG.log(Level.WARNING, "could not remove " + socketPath + ": " + e.getMessage());
      }
    }
    LOG.log(Level.INFO, "switchboard stopped");
  }

  static long ownUid() {
    return new com.sun.security.auth.module.UnixSystem().getUid();
  }

  public static final class Builder {
    private Path socketPath;
    private Integer listenFd;
    private String socketMode = "rw-------";
    private RootPolicy rootPolicy = RootPolicy.SAME_UID;
    private Duration callDeadline = Duration.ofSeconds(5);
    private int maxPendingConnects = 64;
    private SessionLimits sessionLimits = SessionLimits.DEFAULT;
    private UnixLimits unixLimits = UnixLimits.DEFAULT;
    private Admission.Limits admission = Admission.Limits.DEFAULT;
    private Path stateDir;
    private int maxSturdyrefsPerHandle = 1000;
    private io.capnet.unix.Uds.SignatureForm udsSignatureForm = io.capnet.unix.Uds.SignatureForm.GOBLINS;

    private Builder() {}

    /**
     * Keeps the daemon's key and its minted sturdyrefs in {@code dir} (made, mode 0700, if
     * missing), so they survive restarts (spec/switchboard.md section 11). Without it the key is
     * fresh at every start and sturdyrefs last as long as the process.
     */
    public Builder stateDir(Path dir) {
      this.stateDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * How the daemon writes signatures in the introduction protocol where the draft and Goblins
     * disagree (spec/uds.md section 1.1); it reads both. Default {@code GOBLINS}.
     */
    public Builder udsSignatureForm(io.capnet.unix.Uds.SignatureForm form) {
      this.udsSignatureForm = Objects.requireNonNull(form, "form");
      return this;
    }

    /** Sturdyrefs one handle may have minted and not dropped; one more is RESOURCE_EXHAUSTED. */
    public Builder maxSturdyrefsPerHandle(int n) {
      if (n < 1) throw new IllegalArgumentException("maxSturdyrefsPerHandle must be at least 1");
      this.maxSturdyrefsPerHandle = n;
      return this;
    }

    /**
     * Admission (spec/limits.md): at most {@code maxConnections} clients connected in all,
     * {@code maxPerUid} from one uid, and {@code maxUnstartedPerUid} of one uid's that have not
     * started their session; a connection over a limit is closed as it is accepted.
     */
    public Builder admission(int maxConnections, int maxPerUid, int maxUnstartedPerUid) {
      this.admission = new Admission.Limits(maxConnections, maxPerUid, maxUnstartedPerUid);
      return this;
    }

    /** Listens on a new socket at {@code path}, removing a stale one; mode 0600 unless told. */
    public Builder socketPath(Path path) {
      this.socketPath = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Serves an inherited listening socket (systemd-style socket activation). */
    public Builder listenFd(int fd) {
      this.listenFd = fd;
      return this;
    }

    /** The socket file's permissions, as {@code rw-rw----}. */
    public Builder socketMode(String permissions) {
      PosixFilePermissions.fromString(permissions);
      this.socketMode = permissions;
      return this;
    }

    public Builder rootPolicy(RootPolicy policy) {
      this.rootPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** How long a server has to take a connection before the client is told it is unavailable. */
    public Builder callDeadline(Duration deadline) {
      if (deadline.isNegative() || deadline.isZero()) throw new IllegalArgumentException("deadline must be positive");
      this.callDeadline = deadline;
      return this;
    }

    /** Connects waiting for one server's answer; more are refused with RESOURCE_EXHAUSTED. */
    public Builder maxPendingConnects(int n) {
      if (n < 1) throw new IllegalArgumentException("maxPendingConnects must be at least 1");
      this.maxPendingConnects = n;
      return this;
    }

    public Builder sessionLimits(SessionLimits limits) {
      this.sessionLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    public Builder unixLimits(UnixLimits limits) {
      this.unixLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Binds (or adopts) the socket and starts serving.
     *
     * @throws IOException if the path is taken by a live daemon or by something that is not a
     *     socket, or the socket cannot be made; the message says which
     */
    public SwitchboardDaemon start() throws IOException {
      if ((socketPath == null) == (listenFd == null)) {
        throw new IllegalStateException("give exactly one of socketPath and listenFd");
      }
      // Before the socket: a state dir that is refused leaves nothing behind.
      StateDir state = stateDir == null ? null : StateDir.open(stateDir, ownUid());
      try {
        return start(state);
      } catch (IOException | RuntimeException e) {
        if (state != null) state.close();
        throw e;
      }
    }

    private SwitchboardDaemon start(StateDir state) throws IOException {
      if (listenFd != null) {
        AFUNIXServerSocketChannel inherited;
        try {
          inherited = FileDescriptorCast.unsafeUsing(listenFd).as(AFUNIXServerSocketChannel.class);
        } catch (IOException | RuntimeException e) {
          throw new IOException("fd " + listenFd + " is not a listening AF_UNIX socket: " + e.getMessage(), e);
        }
        // junixsocket deletes a server socket's file on close by default; this one is its
        // passer's (systemd keeps listening on it across restarts), so it must stay.
        inherited.setDeleteOnClose(false);
        Path bound = null;
        if (inherited.getLocalAddress() instanceof AFUNIXSocketAddress a && a.hasFilename()) {
          bound = a.getFile().toPath();
        }
        return new SwitchboardDaemon(this, inherited, bound == null ? null : new Bound(inherited, bound, null), state);
      }
      Bound bound = bind(socketPath.toAbsolutePath(), socketMode);
      try {
        return new SwitchboardDaemon(this, bound.server(), bound, state);
      } catch (IOException | RuntimeException e) {
        bound.server().close();
        bound.remove();
        throw e;
      }
    }
  }

  /** Removes a dead daemon's socket and the private directory it was bound in (same inode). */
  private static void removeStale(Path path, Object fileKey) throws IOException {
    String prefix = "." + path.getFileName() + ".";
    try (var siblings = Files.list(path.getParent())) {
      for (Path dir : siblings.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
        Path inner = dir.resolve("s");
        try {
          Object key = Files.readAttributes(inner, java.nio.file.attribute.BasicFileAttributes.class,
              LinkOption.NOFOLLOW_LINKS).fileKey();
          if (fileKey != null && fileKey.equals(key)) {
            Files.delete(inner);
            Files.delete(dir);
          }
        } catch (IOException e) {
          // not ours, or already gone
        }
      }
    }
    Files.delete(path);
  }

  /** A listening socket at a path, and the private directory it was bound in. */
  record Bound(AFUNIXServerSocketChannel server, Path path, Path privateDir) {
    void remove() throws IOException {
      Files.deleteIfExists(path);
      Files.deleteIfExists(privateDir.resolve("s"));
      Files.deleteIfExists(privateDir);
    }
  }

  /**
   * Binds in a private directory, sets the mode, then hard-links the socket to {@code path}: the
   * socket is never reachable with looser permissions, and a live daemon's socket is never taken
   * over (the link fails if the path exists). junixsocket stops accepting when its bound name
   * disappears, so the private name stays until close.
   */
  static Bound bind(Path path, String mode) throws IOException {
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      var attrs = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attrs.isOther()) {
        throw new IOException(path + " exists and is not a socket; not touching it");
      }
      boolean live;
      try (UnixSocket probe = UnixSockets.connect(path)) {
        live = true;
      } catch (IOException e) {
        live = false;
      }
      if (live) throw new IOException("a Switchboard (or something else) is already listening on " + path);
      removeStale(path, attrs.fileKey());
      LOG.log(Level.INFO, "removed the stale socket " + path);
    }
    Path dir = Files.createTempDirectory(path.getParent(), "." + path.getFileName() + ".",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path temp = dir.resolve("s");
    AFUNIXServerSocketChannel server = AFUNIXServerSocketChannel.open();
    try {
      server.bind(AFUNIXSocketAddress.of(temp), 512);
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(mode));
      Files.createLink(path, temp);
    } catch (IOException | RuntimeException e) {
      server.close();
      Files.deleteIfExists(temp);
      Files.deleteIfExists(dir);
      throw new IOException("could not listen on " + path + ": " + e, e);
    }
    return new Bound(server, path, dir);
  }
}
