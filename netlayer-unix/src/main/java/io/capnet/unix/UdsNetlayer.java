package io.capnet.unix;

import io.capnet.captp.OcapnKeys;
import io.capnet.codec.DecodeLimits;
import io.capnet.locator.Designators;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Connections;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * OCapN's unix-domain-socket netlayer (spec/uds.md section 6): peers named
 * {@code ocapn://<designator>.unix-domain-socket?<server>=1} meet through introduction servers
 * that speak only the draft's protocol (Goblins' own, or a Capnet Switchboard), and then speak
 * CapTP in bare Syrup over the socket pair one of them made.
 *
 * <pre>{@code
 * UdsNetlayer n = UdsNetlayer.builder().introductionServer(path).build();
 * Peer p = Peer.builder().netlayer(n).build();
 * }</pre>
 */
public final class UdsNetlayer implements Netlayer {
  private static final System.Logger LOG = System.getLogger("io.capnet.unix.UdsNetlayer");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyPair key;
  private final PeerLocator bare; // without hints: what introductions name
  private final PeerLocator locator;
  private final DecodeLimits limits;
  private final ScheduledExecutorService timer;
  private final Map<String, UdsStream> servers = new LinkedHashMap<>(); // by designator; fixed after build
  private final List<Thread> readers = new ArrayList<>();
  private volatile boolean closed;

  private UdsNetlayer(KeyPair key, PeerLocator bare, DecodeLimits limits, ScheduledExecutorService timer,
      Map<String, UdsStream> servers) {
    this.key = key;
    this.bare = bare;
    this.limits = limits;
    this.timer = timer;
    this.servers.putAll(servers);
    Map<String, String> hints = new LinkedHashMap<>();
    for (String s : servers.keySet()) hints.put(s, Uds.HINT_VALUE);
    this.locator = bare.withHints(hints);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options; {@link #build()} registers with every server before it returns. */
  public static final class Builder {
    private KeyPair key;
    private final List<Path> paths = new ArrayList<>();
    private Uds.SignatureForm form = Uds.SignatureForm.GOBLINS;
    private Duration deadline = Duration.ofSeconds(10);
    private DecodeLimits limits = DecodeLimits.DEFAULT;

    private Builder() {}

    /** The Ed25519 key whose base32 is the designator; a fresh one if not given. */
    public Builder key(KeyPair key) {
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    /** An introduction server's socket path; at least one. */
    public Builder introductionServer(Path socketPath) {
      paths.add(Objects.requireNonNull(socketPath, "socketPath"));
      return this;
    }

    /** How signatures are written where the draft and Goblins disagree (spec/uds.md 1.1); both are read. */
    public Builder signatureForm(Uds.SignatureForm form) {
      this.form = Objects.requireNonNull(form, "form");
      return this;
    }

    /** How long the handshake and each write may take. */
    public Builder deadline(Duration d) {
      this.deadline = Objects.requireNonNull(d, "deadline");
      return this;
    }

    /** The CapTP sessions' decode limits. */
    public Builder limits(DecodeLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Connects and registers with every server.
     *
     * @throws IOException naming the server and what went wrong (a bad signature, an abort with its reason)
     */
    public UdsNetlayer build() throws IOException {
      if (paths.isEmpty()) throw new IllegalStateException("give at least one introductionServer");
      KeyPair k = key != null ? key : newKey();
      PeerLocator bare = PeerLocator.of(Designators.ofEd25519(k.getPublic()), Uds.TRANSPORT);
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "uds-netlayer-timer");
        t.setDaemon(true);
        return t;
      });
      Map<String, UdsStream> servers = new LinkedHashMap<>();
      try {
        for (Path p : paths) {
          UdsStream s = UdsStream.over(UnixSockets.connect(p), form, timer, deadline, "introduction server " + p);
          try {
            String d = register(s, bare, k, deadline, timer);
            if (servers.putIfAbsent(d, s) != null) throw new IOException(p + " is server " + d + ", given twice");
          } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
          }
        }
      } catch (IOException | RuntimeException e) {
        servers.values().forEach(UdsStream::close);
        timer.shutdownNow();
        throw e;
      }
      return new UdsNetlayer(k, bare, limits, timer, servers);
    }
  }

  private static KeyPair newKey() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  /** The handshake (spec/uds.md section 3); returns the server's designator. */
  private static String register(UdsStream s, PeerLocator me, KeyPair k, Duration deadline,
      ScheduledExecutorService timer) throws IOException {
    var cut = timer.schedule(s::close, deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      byte[] c = new byte[Uds.CHALLENGE_BYTES];
      RANDOM.nextBytes(c);
      Bytes challenge = Bytes.adopt(c);
      s.write(new Uds.Register(me, challenge));
      UdsStream.Received r = s.read();
      if (r == null) throw new IOException(s.description() + " closed the connection after uds:register");
      if (r.message() instanceof Uds.Abort a) throw new IOException(s.description() + " refused: " + a.reason());
      if (!(r.message() instanceof Uds.ServerResponse resp)) {
        throw new IOException(s.description() + " answered uds:register with " + r.message().getClass().getSimpleName());
      }
      if (resp.response().payload() != null && !resp.response().payload().equals(challenge)) {
        throw new IOException(s.description() + " signed a payload that is not our challenge");
      }
      if (!OcapnKeys.verify(resp.serverKey(), c, resp.response().signature())) {
        throw new IOException(s.description() + ": the server's signature of our challenge does not verify with the"
            + " key it sent");
      }
      Bytes sig = OcapnKeys.sign(k.getPrivate(), resp.serverChallenge().toByteArray());
      s.write(new Uds.Signed(resp.serverChallenge(), sig));
      return Designators.ofEd25519(resp.serverKey());
    } catch (IOException e) {
      if (cut.isDone()) throw new IOException(s.description() + ": the handshake did not finish within "
          + deadline.toMillis() + " ms", e);
      throw e;
    } finally {
      cut.cancel(false);
    }
  }

  @Override
  public String transport() {
    return Uds.TRANSPORT;
  }

  @Override
  public PeerLocator locator() {
    return locator;
  }

  @Override
  public Connection connect(PeerLocator remote) throws IOException {
    if (!remote.transport().equals(Uds.TRANSPORT)) {
      throw new IOException("the unix-domain-socket netlayer cannot reach transport " + remote.transport());
    }
    if (closed) throw new IOException("the unix-domain-socket netlayer " + locator + " is closed");
    UdsStream via = null;
    for (String s : remote.hints().keySet()) {
      if ((via = servers.get(s)) != null) break;
    }
    if (via == null) {
      throw new IOException("no introduction server in common with " + remote.toUri() + ": this peer is registered with "
          + servers.keySet());
    }
    UnixSockets.Pair pair = UnixSockets.pair();
    try {
      via.writeIntroduction(Uds.encode(new Uds.NewConnection(bare, remote), Uds.SignatureForm.DRAFT), pair.second());
    } catch (IOException e) {
      pair.close();
      throw new IOException("could not ask " + via.description() + " to introduce us to " + remote.toUri() + ": "
          + e.getMessage(), e);
    }
    pair.second().close();
    return session(pair.first(), "unix-domain-socket to " + remote.designator());
  }

  private Connection session(Descriptor end, String description) throws IOException {
    UnixSocket socket = UnixSockets.channel(end);
    try {
      // The socket, not the channel, is closed: a cast channel never closes its descriptor.
      return Connections.bareSyrup(socket.channel(), socket, limits, description);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  @Override
  public synchronized void accept(Consumer<Connection> incoming) {
    Objects.requireNonNull(incoming, "incoming");
    if (!readers.isEmpty()) throw new IllegalStateException("accept was already called");
    for (var e : servers.entrySet()) {
      readers.add(Thread.ofVirtual().name("uds-netlayer " + e.getKey()).start(() -> readIntroductions(e.getValue(), incoming)));
    }
  }

  /** Each introduction meant for us becomes an incoming connection; anything else ends this server. */
  private void readIntroductions(UdsStream s, Consumer<Connection> incoming) {
    try {
      for (UdsStream.Received r; !closed && (r = s.read()) != null; ) {
        if (r.message() instanceof Uds.Abort a) {
          LOG.log(Level.WARNING, s.description() + " ended our registration: " + a.reason());
          return;
        }
        if (!(r.message() instanceof Uds.NewConnection n)) {
          LOG.log(Level.WARNING, s.description() + " sent " + r.message().getClass().getSimpleName()
              + " after the handshake; leaving it");
          return;
        }
        Descriptor fd = s.readDescriptor();
        if (!n.to().equals(bare)) {
          LOG.log(Level.WARNING, s.description() + " handed us a connection for " + n.to().toUri() + "; closed it");
          fd.close();
          continue;
        }
        Connection c;
        try {
          c = session(fd, "unix-domain-socket from " + n.from().designator());
        } catch (IOException e) {
          fd.close();
          LOG.log(Level.WARNING, "could not take a connection from " + n.from().toUri() + ": " + e.getMessage());
          continue;
        }
        Thread.ofVirtual().name("uds-netlayer incoming").start(() -> incoming.accept(c));
      }
    } catch (IOException e) {
      if (!closed) LOG.log(Level.WARNING, s.description() + " failed: " + e.getMessage());
    } finally {
      s.close();
    }
  }

  /** junixsocket's selector: the sessions' channels are junixsocket's. */
  @Override
  public java.nio.channels.spi.SelectorProvider selectorProvider() {
    return org.newsclub.net.unix.AFUNIXSelectorProvider.provider();
  }

  /** CapTP here is bare Syrup, which carries no descriptors. */
  @Override
  public boolean supports(NetlayerCapability capability) {
    return false;
  }

  /** Leaves every introduction server (ending the registrations); open sessions go on. */
  @Override
  public void close() {
    closed = true;
    servers.values().forEach(UdsStream::close);
    List<Thread> rs;
    synchronized (this) {
      rs = List.copyOf(readers);
    }
    for (Thread t : rs) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    timer.shutdownNow();
  }

  @Override
  public String toString() {
    return "unix-domain-socket netlayer " + locator.toUri();
  }
}
