package io.capnet.unix;

import io.capnet.captp.BrokenException;
import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Promise;
import io.capnet.captp.Ref;
import io.capnet.codec.Codec;
import io.capnet.locator.Designators;
import io.capnet.locator.PeerLocator;
import io.capnet.locator.Sturdyref;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.unix.SwitchboardException.Code;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The typed client: one private {@link Peer} whose only session runs to the daemon. Blocking
 * calls wait on the session's answers; callbacks from the daemon run in that peer's vat and are
 * handed to virtual threads, so user code never runs in the vat.
 */
final class SwitchboardClient {
  private static final System.Logger LOG = System.getLogger("io.capnet.unix.Switchboard");
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Every Switchboard client in the process runs on this one loop: clients cost memory, not threads. */
  private static final io.capnet.netlayer.EventLoop CLIENT_LOOP =
      Peer.newEventLoop("capnet-switchboard-clients", org.newsclub.net.unix.AFUNIXSelectorProvider.provider());

  final Peer peer;
  final String description;

  private SwitchboardClient(Peer peer, String description) {
    this.peer = peer;
    this.description = description;
  }

  static Switchboard open(UnixSocket socket, String description) throws IOException, SwitchboardException {
    return open(socket, description, null);
  }

  /** Opens with a chosen announced location (a unix netlayer announces its own designator). */
  static Switchboard open(UnixSocket socket, String description, PeerLocator announce)
      throws IOException, SwitchboardException {
    SwitchboardClient client = start(socket, description, announce);
    return client.fetch(SwitchboardProtocol.CONNECTION_HANDLE, true);
  }

  static Switchboard openSturdyref(String uri) throws IOException, SwitchboardException {
    Sturdyref ref;
    try {
      ref = Sturdyref.parse(uri);
    } catch (RuntimeException e) {
      throw new IOException("not a Switchboard sturdyref: " + e.getMessage());
    }
    if (!ref.peer().transport().equals("unix")) {
      throw new IOException("a Switchboard sturdyref names a unix peer, not " + ref.peer().transport());
    }
    String path = ref.peer().hints().get(SwitchboardProtocol.PATH_HINT);
    if (path == null) throw new IOException("the sturdyref has no " + SwitchboardProtocol.PATH_HINT + " hint: it cannot be reached");
    SwitchboardClient client = start(UnixSockets.connect(Path.of(path)), "sturdyref via " + path, null);
    Switchboard sb = client.fetch(ref.swissNumber(), true);
    boolean sameDaemon = client.peer.sessions().stream().anyMatch(l -> l.designator().equals(ref.peer().designator()));
    if (!sameDaemon) {
      sb.close();
      throw new IOException("the daemon at " + path + " is not the one the sturdyref names ("
          + ref.peer().designator() + "); it was restarted, or the path is someone else's");
    }
    return sb;
  }

  private static SwitchboardClient start(UnixSocket socket, String description, PeerLocator announce) {
    PeerLocator me = announce != null ? announce : PeerLocator.of(randomDesignator(), "unix");
    Connection c = UnixConnections.over(socket, UnixLimits.DEFAULT, Codec.cbor(), "switchboard " + description);
    Peer peer = Peer.builder().name("switchboard-client").netlayer(new OnlyTheDaemon(me)).eventLoop(CLIENT_LOOP).build();
    SwitchboardClient client = new SwitchboardClient(peer, description);
    client.connection = c;
    return client;
  }

  private Connection connection;

  private Switchboard fetch(Bytes swiss, boolean owner) throws SwitchboardException {
    try {
      Ref handle = (Ref) await(peer.fetchOver(connection, swiss));
      return handle(handle, owner);
    } catch (SwitchboardException e) {
      peer.close();
      throw e;
    }
  }

  SwitchboardHandle handle(Ref ref, boolean owner) throws SwitchboardException {
    Object rights = await(ref.send("rights"));
    Object labels = await(ref.send("labels"));
    Set<Right> r = Right.parse((List<?>) rights);
    Map<?, ?> m = (Map<?, ?>) labels;
    return new SwitchboardHandle(this, ref, r, Labels.fromValue(m.get("in"), "in"),
        Labels.fromValue(m.get("out"), "out"), owner);
  }

  static Object await(Promise p) throws SwitchboardException {
    try {
      return p.future().get(Switchboard.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof BrokenException b) throw SwitchboardException.from(b.reason());
      throw new SwitchboardException(Code.UNKNOWN, String.valueOf(e.getCause()));
    } catch (TimeoutException e) {
      throw new SwitchboardException(Code.UNAVAILABLE, "no answer from the Switchboard within "
          + Switchboard.DEFAULT_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SwitchboardException(Code.UNAVAILABLE, "interrupted");
    }
  }

  /** The daemon's callback object for one server registration. */
  Ref incomingObject(Consumer<Switchboard.Introduction> incoming) {
    return peer.spawn(Methods.builder().on("incoming", a -> {
      if (a.size() != 2 || !(a.get(0) instanceof Descriptor fd)) {
        throw new IllegalArgumentException("incoming takes a socket and labels, got " + a);
      }
      Labels labels = Labels.fromValue(a.get(1), "connection labels");
      Thread.ofVirtual().name("switchboard-incoming").start(() -> {
        try {
          incoming.accept(new Switchboard.Introduction(fd, labels));
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "a server's incoming callback failed; closing its socket", e);
          fd.close();
        }
      });
      return Null.NULL;
    }).build());
  }

  /** Runs blocking user code on a virtual thread; the vat gets a promise for its result. */
  io.capnet.captp.Promise offVat(java.util.concurrent.Callable<Object> work) {
    io.capnet.captp.Deferred d = peer.deferred();
    Thread.ofVirtual().name("switchboard-callback").start(() -> {
      try {
        d.fulfill(work.call());
      } catch (Exception e) {
        d.breakWith(new io.capnet.value.OcapnError(e.getMessage() == null ? e.toString() : e.getMessage()));
      }
    });
    return d.promise();
  }

  /** Signs this session's challenge with {@code identity}, as register-peer asks. */
  static Bytes signChallenge(KeyPair identity, Bytes challenge) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(identity.getPrivate());
      s.update(SwitchboardProtocol.registerPeerStatement(challenge, Designators.rawEd25519(identity.getPublic())));
      return Bytes.of(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the identity key", e);
    }
  }

  void close() {
    peer.close();
  }

  static String randomDesignator() {
    byte[] b = new byte[20];
    RANDOM.nextBytes(b);
    return Designators.base32(b);
  }

  /** The private peer's netlayer: it names the client, and never dials or accepts. */
  private record OnlyTheDaemon(PeerLocator locator) implements Netlayer {
    @Override public String transport() { return "unix"; }
    @Override public Connection connect(PeerLocator remote) throws IOException {
      throw new IOException("a Switchboard client reaches only its daemon");
    }
    @Override public void accept(Consumer<Connection> incoming) {}
    @Override public boolean supports(NetlayerCapability c) { return c == NetlayerCapability.DESCRIPTORS; }
    @Override public void close() {}
  }
}
