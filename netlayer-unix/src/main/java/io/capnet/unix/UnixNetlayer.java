package io.capnet.unix;

import io.capnet.codec.Codec;
import io.capnet.locator.Designators;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.ForwardingConnection;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.NetlayerCapability;
import io.capnet.unix.SwitchboardException.Code;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The unix netlayer: peers named {@code ocapn://<designator>.unix} meet through Switchboards,
 * which hand each side one end of a socket pair; the session then runs directly between them,
 * and outlives the Switchboard.
 *
 * <p>The designator is the base32 of this netlayer's Ed25519 key. On creation the netlayer
 * proves that key to each Switchboard ({@code register-peer}); connections it makes carry the
 * proven designator, and connections it accepts must carry the dialler's, so both ends of a
 * session on this netlayer are authenticated by the Switchboards they share.
 */
public final class UnixNetlayer implements Netlayer {
  private static final System.Logger LOG = System.getLogger("io.capnet.unix.UnixNetlayer");
  static final String TRANSPORT = "unix";

  private final KeyPair identity;
  private final String designator;
  private final PeerLocator locator;
  private final UnixLimits limits;
  private final List<Registered> switchboards = new ArrayList<>();
  private final List<Connection> early = new CopyOnWriteArrayList<>();
  private volatile Consumer<Connection> incoming;
  private volatile boolean closed;
  private final boolean ownsSwitchboards;

  private record Registered(Switchboard handle, String daemon, SwitchboardHandle.PeerRegistration registration) {}

  /** The locator hint naming, by designator, the Switchboards a peer is registered with. */
  public static final String SWITCHBOARDS_HINT = "switchboards";

  private UnixNetlayer(KeyPair identity, List<Switchboard> handles, UnixLimits limits, boolean owns)
      throws SwitchboardException {
    this.identity = identity;
    this.ownsSwitchboards = owns;
    this.designator = Designators.ofEd25519(identity.getPublic());
    this.limits = limits;
    List<String> daemons = new ArrayList<>();
    try {
      for (Switchboard sb : handles) {
        if (!(sb instanceof SwitchboardHandle h)) throw new IllegalArgumentException("not a Switchboard from this library");
        switchboards.add(new Registered(sb, h.daemonDesignator(), h.registerPeer(identity, this::incoming)));
        daemons.add(h.daemonDesignator());
      }
    } catch (SwitchboardException | RuntimeException e) {
      cancelAll();
      if (owns) handles.forEach(Switchboard::close);
      throw e;
    }
    this.locator = PeerLocator.of(designator, TRANSPORT, Map.of(SWITCHBOARDS_HINT, String.join(",", daemons)));
  }

  /**
   * A netlayer with a fresh identity that connects to the daemons at {@code socketPaths} itself
   * (getting each connection's own handle) and closes those connections when closed.
   */
  public static UnixNetlayer open(java.nio.file.Path... socketPaths) throws IOException, SwitchboardException {
    return open(freshIdentity(), socketPaths);
  }

  /**
   * Like {@link #open(java.nio.file.Path...)} with a chosen identity, e.g. from {@link
   * io.capnet.locator.Ed25519KeyFile#loadOrCreate}: the designator, and the sturdyrefs exported
   * under chosen swiss numbers, then stay the same across runs.
   */
  public static UnixNetlayer open(KeyPair identity, java.nio.file.Path... socketPaths)
      throws IOException, SwitchboardException {
    Objects.requireNonNull(identity, "identity");
    if (socketPaths.length == 0) throw new IllegalArgumentException("give at least one Switchboard socket");
    List<Switchboard> opened = new ArrayList<>();
    try {
      for (java.nio.file.Path p : socketPaths) opened.add(Switchboard.open(p));
    } catch (IOException | SwitchboardException | RuntimeException e) {
      opened.forEach(Switchboard::close);
      throw e;
    }
    return new UnixNetlayer(identity, opened, UnixLimits.DEFAULT, true);
  }

  /** A netlayer with a fresh identity, registered with each of {@code switchboards}, in order of preference. */
  public static UnixNetlayer create(Switchboard... switchboards) throws SwitchboardException {
    return create(freshIdentity(), List.of(switchboards));
  }

  /** A netlayer with a chosen Ed25519 identity (its designator stays the same across runs). */
  public static UnixNetlayer create(KeyPair identity, List<Switchboard> switchboards) throws SwitchboardException {
    if (switchboards.isEmpty()) throw new IllegalArgumentException("give at least one Switchboard");
    return new UnixNetlayer(Objects.requireNonNull(identity, "identity"), List.copyOf(switchboards), UnixLimits.DEFAULT, false);
  }

  static KeyPair freshIdentity() {
    return io.capnet.locator.Ed25519KeyFile.generate();
  }

  @Override
  public String transport() {
    return TRANSPORT;
  }

  @Override
  public PeerLocator locator() {
    return locator;
  }

  public String designator() {
    return designator;
  }

  /**
   * Asks each Switchboard in turn for the peer with {@code remote}'s designator.
   *
   * @throws IOException naming each Switchboard's refusal when none can introduce us
   */
  @Override
  public Connection connect(PeerLocator remote) throws IOException {
    if (!remote.transport().equals(TRANSPORT)) throw new IOException("not a unix locator: " + remote.toUri());
    if (closed) throw new IOException("unix netlayer " + designator + " is closed");
    List<String> refusals = new ArrayList<>();
    // The Switchboards the remote's locator names come first; the others may know it too.
    List<String> named = List.of(remote.hints().getOrDefault(SWITCHBOARDS_HINT, "").split(","));
    List<Registered> order = new ArrayList<>(switchboards);
    order.sort(java.util.Comparator.comparing(r -> !named.contains(r.daemon())));
    for (Registered r : order) {
      try {
        Switchboard.Introduction intro = r.registration().connect(
            Labels.of(SwitchboardProtocol.OCAPN_DESIGNATOR, remote.designator()));
        return connection(intro.socket(), remote.designator(), "unix to " + remote.designator());
      } catch (SwitchboardException e) {
        refusals.add(e.getMessage());
        if (e.code() != Code.NOT_FOUND) LOG.log(Level.DEBUG, "switchboard refused a connect", e);
      }
    }
    throw new IOException("no Switchboard could introduce " + remote.designator() + ": " + String.join("; ", refusals));
  }

  private void incoming(Switchboard.Introduction intro) {
    Optional<String> client = intro.labels().get(SwitchboardProtocol.CLIENT_DESIGNATOR);
    if (client.isEmpty()) {
      // Only a peer that proved its designator may start a session here: its location is then known.
      LOG.log(Level.INFO, "refused a connection with no proven client designator: " + intro.labels());
      intro.socket().close();
      return;
    }
    Connection c;
    try {
      c = connection(intro.socket(), client.get(), "unix from " + client.get());
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not use an introduced socket: " + e.getMessage());
      intro.socket().close();
      return;
    }
    Consumer<Connection> to = incoming;
    if (to != null) {
      to.accept(c);
    } else {
      early.add(c);
      if (incoming != null && early.remove(c)) incoming.accept(c);
    }
  }

  private Connection connection(Descriptor socket, String remoteDesignator, String description) throws IOException {
    Connection c = UnixConnections.over(UnixSockets.channel(socket), limits, Codec.cbor(), description);
    return new Authenticated(c, remoteDesignator);
  }

  @Override
  public void accept(Consumer<Connection> incoming) {
    this.incoming = incoming;
    for (Connection c : early) if (early.remove(c)) incoming.accept(c);
  }

  /** junixsocket's selector: the vat's loop watches these sockets itself. */
  @Override
  public java.nio.channels.spi.SelectorProvider selectorProvider() {
    return org.newsclub.net.unix.AFUNIXSelectorProvider.provider();
  }

  @Override
  public boolean supports(NetlayerCapability capability) {
    return true;
  }

  /**
   * Cancels the registrations (and closes the Switchboard connections this netlayer opened);
   * sessions already running carry on over their own sockets.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    cancelAll();
    if (ownsSwitchboards) for (Registered r : switchboards) r.handle().close();
    for (Connection c : early) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "closing an unclaimed connection", e);
      }
    }
  }

  private void cancelAll() {
    for (Registered r : switchboards) {
      try {
        r.registration().registration().cancel();
      } catch (SwitchboardException e) {
        LOG.log(Level.DEBUG, "cancelling a registration", e);
      }
    }
  }

  @Override
  public String toString() {
    return "UnixNetlayer[" + designator + "]";
  }

  /** A connection whose peer's designator a Switchboard vouched for. */
  private static final class Authenticated extends ForwardingConnection {
    private final String designator;

    Authenticated(Connection delegate, String designator) {
      super(delegate);
      this.designator = designator;
    }

    @Override
    public Optional<String> authenticatedDesignator() {
      return Optional.of(designator);
    }
  }
}
