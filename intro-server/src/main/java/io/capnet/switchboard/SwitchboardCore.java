package io.capnet.switchboard;

import static io.capnet.unix.SwitchboardProtocol.CLIENT_DESIGNATOR;
import static io.capnet.unix.SwitchboardProtocol.CLIENT_GID;
import static io.capnet.unix.SwitchboardProtocol.CLIENT_PID;
import static io.capnet.unix.SwitchboardProtocol.CLIENT_RESERVED;
import static io.capnet.unix.SwitchboardProtocol.CLIENT_UID;
import static io.capnet.unix.SwitchboardProtocol.OCAPN_DESIGNATOR;
import static io.capnet.unix.SwitchboardProtocol.SERVER_CREDENTIALS;
import static io.capnet.unix.SwitchboardProtocol.SERVER_GID;
import static io.capnet.unix.SwitchboardProtocol.SERVER_PID;
import static io.capnet.unix.SwitchboardProtocol.SERVER_RESERVED;
import static io.capnet.unix.SwitchboardProtocol.SERVER_UID;

import io.capnet.captp.BrokenException;
import io.capnet.captp.Deferred;
import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.captp.SessionInfo;
import io.capnet.locator.Designators;
import io.capnet.netlayer.PeerCredentials;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.SwitchboardException.Code;
import io.capnet.unix.SwitchboardProtocol;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Switchboard's registry and rules: registrations, matching, introductions and watchers.
 * Everything here runs in the daemon's vat, so it needs no locks; timers come back through
 * {@link Peer#execute}. Calls to servers are eventual and carry a deadline, so a slow or dead
 * server delays only the clients that chose it.
 */
final class SwitchboardCore {
  private static final System.Logger LOG = System.getLogger("io.capnet.switchboard");

  /** What a registration provides: a server takes sockets, an egress opens them. */
  enum Kind {
    SERVER("server"), EGRESS("egress"),
    /** A peer registered through the introduction protocol (spec/uds.md): listed, reached only by uds. */
    UDS("unix-domain-socket peer");

    final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  /** A registered server, peer or egress. */
  static final class Target {
    final long id;
    final Kind kind;
    final Labels chosen; // what the server chose: tells it apart from the others
    final Labels labels; // chosen plus the daemon's reserved labels: what clients match
    final Ref server;
    Bytes client; // the session that registered it, for maxRegistrationsPerClient
    int pending;
    boolean gone;

    Target(long id, Kind kind, Labels chosen, Labels labels, Ref server) {
      this.id = id;
      this.kind = kind;
      this.chosen = chosen;
      this.labels = labels;
      this.server = server;
    }
  }

  /** Registrations (servers, peers, egresses) one client session may hold at once. */
  static final int MAX_REGISTRATIONS_PER_CLIENT = 1024;
  /** Watchers one client session may hold at once. */
  static final int MAX_WATCHERS_PER_CLIENT = 64;
  private final Map<Bytes, int[]> perClient = new java.util.HashMap<>(); // session id -> {registrations, watchers}

  private void hold(Bytes client, int which, int max, String what) {
    int[] c = perClient.computeIfAbsent(client, k -> new int[2]);
    if (c[which] >= max) {
      throw Errors.of(Code.RESOURCE_EXHAUSTED, "this client already holds " + c[which] + " " + what);
    }
    c[which]++;
  }

  private void release(Bytes client, int which) {
    int[] c = perClient.get(client);
    if (c == null) return;
    c[which]--;
    if (c[0] <= 0 && c[1] <= 0) perClient.remove(client);
  }

  private final Peer peer;
  private final SocketMaker sockets;
  private final ScheduledExecutorService timer;
  private final Duration callDeadline;
  private final int maxPendingConnects;
  private final Map<Long, Target> targets = new LinkedHashMap<>();
  private final List<Watcher> watchers = new ArrayList<>();
  private final Map<Long, Resolver> resolvers = new LinkedHashMap<>();
  private final SturdyrefTable table;
  /** The handles sturdyrefs in the table designate, by their table name. */
  private final Map<String, Handle> live = new java.util.HashMap<>();
  private long nextId = 1;

  /** Makes socket pairs and serves handle sockets; the daemon's transport side. */
  interface SocketMaker {
    Descriptor[] pair() throws IOException;

    /** Serves {@code daemonEnd} as a connection whose own handle is {@code handle}. */
    void serveHandleSocket(Descriptor daemonEnd, Handle handle) throws IOException;
  }

  private record Watcher(Handle handle, Ref ref) {}

  SwitchboardCore(Peer peer, SocketMaker sockets, ScheduledExecutorService timer, Duration callDeadline,
      int maxPendingConnects, SturdyrefTable table) {
    this.peer = peer;
    this.table = table;
    this.sockets = sockets;
    this.timer = timer;
    this.callDeadline = callDeadline;
    this.maxPendingConnects = maxPendingConnects;
  }

  Handle newHandle(Set<Right> rights, Labels in, Labels out) {
    Handle h = new Handle(this, rights, in, out);
    h.self = peer.spawn(h);
    return h;
  }

  int registrations() {
    return targets.size();
  }

  // ---------------------------------------------------------------- handles

  Bytes challenge() {
    return caller().sessionId();
  }

  Ref constrain(Handle h, Object rightsValue, Object inValue, Object outValue) {
    return narrower(h, rightsValue, inValue, outValue, "constrain").self;
  }

  /** A new handle with a subset of {@code h}'s rights and labels that only grow. */
  private Handle narrower(Handle h, Object rightsValue, Object inValue, Object outValue, String what) {
    if (!(rightsValue instanceof List<?> names)) throw Errors.invalid(what + " rights must be a list of right names");
    Set<Right> rights;
    try {
      rights = Right.parse(names);
    } catch (IllegalArgumentException e) {
      throw Errors.invalid(e.getMessage());
    }
    Set<Right> missing = new TreeSet<>(rights);
    missing.removeAll(h.rights);
    if (!missing.isEmpty()) {
      throw Errors.denied(what + " asks for rights this handle lacks: " + Right.names(missing)
          + "; it has " + Right.names(h.rights));
    }
    Labels in = narrow(h.in, labels(inValue, what + " in-labels"), "in");
    Labels out = narrow(h.out, labels(outValue, what + " out-labels"), "out");
    reserved(in, SERVER_RESERVED, "in-labels");
    reserved(out, CLIENT_RESERVED, "out-labels");
    return newHandle(rights, in, out);
  }

  /** A sturdyref for {@code h} itself, minted by {@code h}. */
  String sturdyref(Handle h) {
    return uri(table.mint(h.id(), h.id(), h.rights, h.in, h.out), h);
  }

  /**
   * {@code mint rights in out}: a sturdyref for a new, narrower handle, minted by {@code h} (so
   * {@code h} lists and drops it), without handing the new handle to the caller.
   */
  String mint(Handle h, Object rightsValue, Object inValue, Object outValue) {
    Handle child = narrower(h, rightsValue, inValue, outValue, "mint");
    return uri(table.mint(child.id(), h.id(), child.rights, child.in, child.out), child);
  }

  private String uri(Bytes swiss, Handle designated) {
    live.put(designated.id(), designated);
    LOG.log(Level.INFO, "sturdyref minted for handle " + designated.id() + " " + Right.names(designated.rights)
        + " in=" + designated.in.toLogString() + " out=" + designated.out.toLogString() + " (" + table.size() + " in all)");
    return io.capnet.locator.Sturdyref.of(peer.locator(), swiss).toUri();
  }

  /** {@code minted}: what {@code h} minted, as {id, rights, in, out} Structs, oldest first. */
  List<Object> minted(Handle h) {
    if (h.id == null) return List.of();
    List<Object> out = new ArrayList<>();
    for (SturdyrefTable.Entry e : table.mintedBy(h.id)) out.add(e.toValue());
    return out;
  }

  /**
   * The handle a fetched swiss number designates, or null. The same handle object answers every
   * sturdyref that designates it, before a restart and after.
   */
  Ref resolve(Bytes swiss) {
    SturdyrefTable.Entry e = table.find(swiss);
    if (e == null) return null;
    Handle h = live.get(e.handle());
    if (h == null) {
      h = newHandle(e.rights(), e.in(), e.out());
      h.id = e.handle();
      live.put(h.id, h);
    }
    return h.self;
  }

  /** Makes {@code root} the handle that sturdyrefs naming "root" designate. */
  void root(Handle root) {
    root.id = "root";
    live.put("root", root);
  }

  Object dropSturdyref(Handle h, Object uriValue) {
    if (!(uriValue instanceof String uri)) {
      throw Errors.invalid("drop-sturdyref takes a sturdyref URI or the id `minted` lists (a string)");
    }
    SturdyrefTable.Entry e;
    if (uri.startsWith("ocapn:")) {
      Bytes swiss;
      try {
        swiss = io.capnet.locator.Sturdyref.parse(uri).swissNumber();
      } catch (RuntimeException ex) {
        throw Errors.invalid("drop-sturdyref: not a sturdyref: " + ex.getMessage());
      }
      e = table.find(swiss);
    } else {
      e = table.byId(uri);
    }
    if (e == null || h.id == null || !e.minter().equals(h.id)) {
      throw Errors.of(Code.NOT_FOUND, "this handle made no such sturdyref");
    }
    table.remove(e);
    LOG.log(Level.INFO, "sturdyref " + e.id() + " for handle " + e.handle() + " dropped by its minter");
    // Handles already fetched keep working; the table only stops holding this one for fetches.
    if (!e.handle().equals("root") && !table.designates(e.handle())) live.remove(e.handle());
    return Null.NULL;
  }

  Descriptor socket(Handle h) {
    Descriptor[] pair = pair();
    try {
      sockets.serveHandleSocket(pair[0], h);
    } catch (IOException | RuntimeException e) {
      pair[0].close();
      pair[1].close();
      throw Errors.of(Code.UNAVAILABLE, "could not serve a handle socket: " + e.getMessage());
    }
    return pair[1];
  }

  // ---------------------------------------------------------------- servers

  Ref serve(Handle h, Object labelsValue, Object serverValue) {
    h.require(Right.SERVER_START);
    Labels asked = labels(labelsValue, "serve labels");
    reserved(asked, SERVER_RESERVED, "serve labels");
    return register(h, Kind.SERVER, narrow(h.in, asked, "in"), server(serverValue), null);
  }

  Ref egress(Handle h, Object labelsValue, Object egressValue) {
    h.require(Right.EGRESS_START);
    Labels asked = labels(labelsValue, "egress labels");
    reserved(asked, SERVER_RESERVED, "egress labels");
    return register(h, Kind.EGRESS, narrow(h.in, asked, "in"), server(egressValue), null);
  }

  /**
   * {@code resolver keys resolver-object}: resolves connects whose labels have every one of
   * {@code keys} (and match the handle's in-labels) into target labels, as Flower's resolver
   * protocol describes and Flower never wired in.
   */
  Ref resolver(Handle h, Object keysValue, Object resolverValue) {
    h.require(Right.RESOLVER_START);
    if (!(keysValue instanceof List<?> list) || list.isEmpty() || !list.stream().allMatch(k -> k instanceof String)) {
      throw Errors.invalid("resolver takes a non-empty list of label keys to resolve, and a resolver object");
    }
    Set<String> keys = new TreeSet<>();
    for (Object k : list) keys.add((String) k);
    Set<String> bad = new TreeSet<>(keys);
    bad.retainAll(CLIENT_RESERVED);
    if (!bad.isEmpty()) throw Errors.invalid("resolver keys " + bad + " are reserved");
    for (Resolver other : resolvers.values()) {
      if (other.keys.equals(keys) && other.labels.matches(h.in)) {
        throw Errors.of(Code.AMBIGUOUS, "resolver for " + keys + " with labels " + h.in
            + " cannot be told apart from resolver #" + other.id + " " + other.labels);
      }
    }
    Resolver r = new Resolver(nextId++, keys, h.in, server(resolverValue), timer, callDeadline, peer);
    resolvers.put(r.id, r);
    LOG.log(Level.INFO, "resolver #" + r.id + " registered for " + keys + " " + h.in.toLogString());
    r.ref.whenBroken(reason -> {
      if (resolvers.remove(r.id) != null) LOG.log(Level.INFO, "resolver #" + r.id + " departed: its session ended");
    });
    return peer.spawn(Methods.builder().on("cancel", a -> {
      if (resolvers.remove(r.id) != null) LOG.log(Level.INFO, "resolver #" + r.id + " departed (cancelled)");
      return Null.NULL;
    }).build());
  }

  Ref registerPeer(Handle h, Object keyValue, Object signatureValue, Object serverValue) {
    h.require(Right.SERVER_START);
    if (!(keyValue instanceof Bytes key) || key.length() != 32) {
      throw Errors.invalid("register-peer takes a 32-byte Ed25519 public key");
    }
    if (!(signatureValue instanceof Bytes sig) || sig.length() != 64) {
      throw Errors.invalid("register-peer takes a 64-byte Ed25519 signature");
    }
    byte[] statement = SwitchboardProtocol.registerPeerStatement(caller().sessionId(), key);
    try {
      Signature v = Signature.getInstance("Ed25519");
      v.initVerify(Designators.ed25519PublicKey(key));
      v.update(statement);
      if (!v.verify(sig.toByteArray())) {
        throw Errors.denied("register-peer: the signature does not prove the key (it must sign this"
            + " session's challenge)");
      }
    } catch (GeneralSecurityException e) {
      throw Errors.invalid("register-peer: bad key or signature: " + e.getMessage());
    }
    String designator = Designators.ofEd25519(key);
    Labels chosen = narrow(h.in, Labels.of(OCAPN_DESIGNATOR, designator), "in");
    return register(h, Kind.SERVER, chosen, server(serverValue), designator);
  }

  private Ref register(Handle h, Kind kind, Labels chosen, Ref server, String designator) {
    for (Target t : targets.values()) {
      if (t.kind == Kind.UDS ? sameDesignator(chosen, t) : chosen.matches(t.chosen)) {
        Set<String> apart = chosen.keysInOnlyOne(t.chosen);
        throw Errors.of(Code.AMBIGUOUS, "labels " + chosen + " cannot be told apart from the registered server "
            + t.chosen + (apart.isEmpty() ? ": they are the same; add a label with a value of its own"
                : ": give one of " + apart + " a value that differs"));
      }
    }
    Labels labels = union(chosen, credentials(SERVER_UID, SERVER_GID, SERVER_PID), "serve labels");
    Bytes client = caller().sessionId();
    hold(client, 0, MAX_REGISTRATIONS_PER_CLIENT, "registrations (maxRegistrationsPerClient "
        + MAX_REGISTRATIONS_PER_CLIENT + ")");
    Target t = new Target(nextId++, kind, chosen, labels, server);
    t.client = client;
    targets.put(t.id, t);
    LOG.log(Level.INFO, kind.word + " #" + t.id + " registered " + labels.toLogString());
    announce("registered", t);
    server.whenBroken(reason -> depart(t, "its session ended: " + reason));
    Methods.Builder m = Methods.builder()
        .on("labels", a -> t.labels.toValue())
        .on("cancel", a -> {
          depart(t, "cancelled");
          return Null.NULL;
        });
    if (designator != null) m.on("connect", a -> {
      if (a.size() != 1) throw Errors.invalid("connect takes labels");
      return connect(h, a.get(0), designator);
    });
    return peer.spawn(m.build());
  }

  /**
   * Registers a peer that proved {@code designator} over the introduction protocol, with the
   * credentials of its socket; it conflicts as {@code register-peer} would. Runs in the vat.
   *
   * @throws BrokenException (AMBIGUOUS) when it cannot be told apart from a registration
   */
  Target registerUds(String designator, PeerCredentials creds) {
    Labels chosen = Labels.of(OCAPN_DESIGNATOR, designator);
    for (Target t : targets.values()) {
      if (sameDesignator(chosen, t)) {
        throw Errors.of(Code.AMBIGUOUS, "labels " + chosen + " cannot be told apart from the registered "
            + t.kind.word + " " + t.chosen + ": this designator is already registered");
      }
    }
    Labels labels = creds == null ? chosen : union(chosen, Labels.of(SERVER_UID, Long.toString(creds.uid()), SERVER_GID,
        Long.toString(creds.gid()), SERVER_PID, Long.toString(creds.pid())), "uds labels");
    Target t = new Target(nextId++, Kind.UDS, chosen, labels, null);
    targets.put(t.id, t);
    LOG.log(Level.INFO, t.kind.word + " #" + t.id + " registered " + labels.toLogString());
    announce("registered", t);
    return t;
  }

  // A uds peer is told apart by its designator alone: it offers nothing a label could choose.
  private static boolean sameDesignator(Labels chosen, Target t) {
    return chosen.get(OCAPN_DESIGNATOR).isPresent() && chosen.get(OCAPN_DESIGNATOR).equals(t.chosen.get(OCAPN_DESIGNATOR));
  }

  /** Ends a registration made by {@link #registerUds}. Runs in the vat. */
  void departUds(Target t, String why) {
    depart(t, why);
  }

  private void depart(Target t, String why) {
    if (t.gone) return;
    t.gone = true;
    targets.remove(t.id);
    if (t.client != null) release(t.client, 0);
    LOG.log(Level.INFO, t.kind.word + " #" + t.id + " departed (" + why + ") " + t.labels.toLogString());
    announce("departed", t);
  }

  // ---------------------------------------------------------------- clients

  Object connect(Handle h, Object labelsValue, String clientDesignator) {
    h.require(Right.CLIENT_CONNECT);
    Labels asked = labels(labelsValue, "connect labels");
    reserved(asked, CLIENT_RESERVED, "connect labels");
    Labels effective = union(narrow(h.out, asked, "out"), credentials(CLIENT_UID, CLIENT_GID, CLIENT_PID), "connect labels");
    if (clientDesignator != null) effective = effective.with(CLIENT_DESIGNATOR, clientDesignator);
    return resolveThen(effective, labels -> introduce(labels, null));
  }

  /**
   * {@code ingress socket labels}: an ingress pushes a socket it accepted to the server the
   * labels match. Egresses are out of its reach: both would be providing a socket.
   */
  Object ingress(Handle h, Object socketValue, Object labelsValue) {
    if (!(socketValue instanceof Descriptor socket)) throw Errors.invalid("ingress takes a socket (a descriptor) and labels");
    try {
      h.require(Right.INGRESS_CONNECT);
      Labels asked = labels(labelsValue, "ingress labels");
      reserved(asked, CLIENT_RESERVED, "ingress labels");
      Labels effective = union(narrow(h.out, asked, "out"), credentials(CLIENT_UID, CLIENT_GID, CLIENT_PID), "connect labels");
      return introduce(effective, socket);
    } catch (RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Runs the resolver the labels call for, if any, then {@code then} with the resolved labels. */
  private Object resolveThen(Labels effective, java.util.function.Function<Labels, Object> then) {
    List<Resolver> applicable = new ArrayList<>(1);
    for (Resolver r : resolvers.values()) {
      if (effective.keysIn(r.keys).size() == r.keys.size() && r.labels.matches(effective)) applicable.add(r);
    }
    if (applicable.isEmpty()) return then.apply(effective);
    if (applicable.size() > 1) {
      throw Errors.of(Code.AMBIGUOUS, "labels " + effective.without(CLIENT_RESERVED) + " match " + applicable.size()
          + " resolvers; add one of the labels that tell them apart: "
          + applicable.get(0).labels.keysDifferingFrom(applicable.get(1).labels));
    }
    Resolver r = applicable.get(0);
    Set<String> others = new TreeSet<>(effective.asMap().keySet());
    others.removeAll(r.keys);
    Labels question = effective.without(others);
    Deferred answer = peer.deferred();
    r.resolve(question, (targets, failure) -> {
      if (failure != null) {
        answer.breakWith(Errors.of(Code.UNAVAILABLE, "resolver #" + r.id + " could not resolve " + question + ": " + failure).reason());
        return;
      }
      Labels chosen = pick(targets, effective);
      if (chosen == null) {
        answer.breakWith(Errors.of(Code.NOT_FOUND, "resolver #" + r.id + " found no target for " + question).reason());
        return;
      }
      try {
        settleWith(answer, then.apply(chosen));
      } catch (BrokenException e) {
        answer.breakWith(e.reason());
      }
    });
    return answer.promise();
  }

  /** A weighted random choice among the targets whose labels agree with the client's. */
  private static Labels pick(List<Resolver.Target> targets, Labels effective) {
    List<Resolver.Target> usable = new ArrayList<>();
    long total = 0;
    for (Resolver.Target t : targets) {
      if (t.labels().matches(effective) && t.labels().keysIn(CLIENT_RESERVED).isEmpty()) {
        usable.add(t);
        total += t.weight();
      }
    }
    if (usable.isEmpty()) return null;
    Resolver.Target chosen = usable.get(0);
    if (total > 0) {
      long x = java.util.concurrent.ThreadLocalRandom.current().nextLong(total);
      for (Resolver.Target t : usable) {
        if (x < t.weight()) {
          chosen = t;
          break;
        }
        x -= t.weight();
      }
    } else {
      chosen = usable.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(usable.size()));
    }
    return union(effective, chosen.labels(), "connection labels");
  }

  static void settleWith(Deferred answer, Object result) {
    if (result instanceof io.capnet.captp.Promise p) {
      p.future().whenComplete((v, f) -> {
        if (f == null) answer.fulfill(v);
        else answer.breakWith(f instanceof BrokenException b ? b.reason() : new io.capnet.value.OcapnError(String.valueOf(f)));
      });
    } else {
      answer.fulfill(result);
    }
  }

  /**
   * Introduces a client to the one target its labels match. With {@code ingressSocket}, that
   * socket goes to the server and the answer is the connection labels; otherwise the client
   * gets a socket: a fresh pair's end for a server, or what an egress opened.
   */
  private Object introduce(Labels effective, Descriptor ingressSocket) {
    List<Target> matches = new ArrayList<>(2);
    for (Target t : targets.values()) if (t.labels.matches(effective)) matches.add(t);
    Labels shown = effective.without(CLIENT_RESERVED);
    String who = ingressSocket == null ? "connect " : "ingress ";
    if (ingressSocket != null && matches.removeIf(t -> t.kind == Kind.EGRESS) && matches.isEmpty()) {
      LOG.log(Level.INFO, who + effective.toLogString() + " refused: only an egress matches");
      throw Errors.denied("labels " + shown + " match only an egress, and an ingress may never reach an egress");
    }
    // Introductions only: a uds peer speaks Syrup CapTP and is reached through uds:new-connection.
    if (matches.removeIf(t -> t.kind == Kind.UDS) && matches.isEmpty()) {
      LOG.log(Level.INFO, who + effective.toLogString() + " refused: only a unix-domain-socket peer matches");
      throw Errors.denied("labels " + shown + " match only a unix-domain-socket peer, which is reached only through"
          + " uds:new-connection (spec/uds.md)");
    }
    if (matches.isEmpty()) {
      LOG.log(Level.INFO, who + effective.toLogString() + " refused: no server matches");
      throw Errors.of(Code.NOT_FOUND, "no server matches " + shown);
    }
    if (matches.size() > 1) {
      Set<String> apart = matches.get(0).labels.keysDifferingFrom(matches.get(1).labels);
      apart.removeAll(SERVER_CREDENTIALS);
      LOG.log(Level.INFO, who + effective.toLogString() + " refused: " + matches.size() + " servers match");
      throw Errors.of(Code.AMBIGUOUS, "labels " + shown + " match " + matches.size()
          + " servers; add one of the labels that tell them apart: " + apart);
    }
    Target t = matches.get(0);
    if (t.pending >= maxPendingConnects) {
      throw Errors.of(Code.RESOURCE_EXHAUSTED, t.kind.word + " #" + t.id + " " + t.labels + " already has "
          + t.pending + " pending connects (maxPendingConnects " + maxPendingConnects + ")");
    }
    Labels connection = union(effective, t.labels, "connection labels");
    Descriptor[] pair = t.kind == Kind.SERVER && ingressSocket == null ? pair() : null;
    io.capnet.captp.Promise call = switch (t.kind) {
      // The socket moves into the message; the session closes our copy once sent or dropped.
      case SERVER -> t.server.send("incoming", ingressSocket != null ? ingressSocket : pair[0], connection.toValue());
      case EGRESS -> t.server.send("connect", connection.toValue());
      case UDS -> throw new IllegalStateException("uds peers were removed above");
    };
    String what = who + connection.toLogString() + " to " + t.kind.word + " #" + t.id;
    return withDeadline(t, call, what, ok -> {
      if (ingressSocket != null) return connection.toValue();
      if (t.kind == Kind.SERVER) return List.of(pair[1], connection.toValue());
      if (ok instanceof Descriptor opened) return List.of(opened, connection.toValue());
      // An egress may describe what it reached (a federation link names the remote server).
      if (ok instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Descriptor opened) {
        try {
          Labels reached = Labels.fromValue(l.get(1), "egress labels");
          Set<String> bad = reached.keysIn(CLIENT_RESERVED);
          if (!bad.isEmpty() || !reached.matches(connection)) {
            throw new IllegalArgumentException(bad.isEmpty() ? "they disagree with the connection's" : "reserved " + bad);
          }
          return List.of(opened, connection.merge(reached).toValue());
        } catch (IllegalArgumentException e) {
          opened.close();
          throw Errors.of(Code.UNAVAILABLE, "egress #" + t.id + " answered labels it may not set: " + e.getMessage());
        }
      }
      throw Errors.of(Code.UNAVAILABLE, "egress #" + t.id + " answered " + ok + ", not a socket");
    }, () -> {
      if (pair != null) pair[1].close();
    });
  }

  /**
   * The answer to a call to a target: {@code onAnswer} of its result, or UNAVAILABLE when it
   * breaks or the deadline passes first; {@code cleanup} runs on failure.
   */
  private io.capnet.captp.Promise withDeadline(Target t, io.capnet.captp.Promise call, String what,
      java.util.function.Function<Object, Object> onAnswer, Runnable cleanup) {
    t.pending++;
    Deferred answer = peer.deferred();
    boolean[] settled = {false};
    Runnable timeout = () -> {
      if (settled[0]) return;
      settled[0] = true;
      t.pending--;
      cleanup.run();
      LOG.log(Level.INFO, what + " failed: no answer within " + callDeadline.toMillis() + " ms");
      answer.breakWith(Errors.of(Code.UNAVAILABLE, t.kind.word + " #" + t.id + " did not take the connection within "
          + callDeadline.toMillis() + " ms").reason());
    };
    var deadline = timer.schedule(() -> peer.execute(timeout), callDeadline.toMillis(), TimeUnit.MILLISECONDS);
    call.future().whenComplete((ok, failure) -> {
      if (settled[0]) {
        Descriptor.closeAllIn(ok); // a late answer: a bare socket, or [socket, labels] from an egress
        return;
      }
      settled[0] = true;
      deadline.cancel(false);
      t.pending--;
      if (failure != null) {
        cleanup.run();
        String why = failure instanceof BrokenException b ? reasonText(b.reason()) : String.valueOf(failure);
        LOG.log(Level.INFO, what + " failed: " + why);
        answer.breakWith(Errors.of(Code.UNAVAILABLE, t.kind.word + " #" + t.id + " did not take the connection: " + why).reason());
        return;
      }
      try {
        Object result = onAnswer.apply(ok);
        LOG.log(Level.INFO, what);
        answer.fulfill(result);
      } catch (BrokenException e) {
        cleanup.run();
        answer.breakWith(e.reason());
      }
    });
    return answer.promise();
  }

  /** A server's reason, cut: it goes into log lines and to the client, and the server chose it. */
  private static String reasonText(Object reason) {
    String text = reason instanceof io.capnet.value.OcapnError e ? e.message() : io.capnet.value.Values.describe(reason, 200);
    return text.length() <= 200 ? text : text.substring(0, 200) + "\u2026(" + text.length() + " chars)";
  }

  List<Object> list(Handle h, Object filterValue) {
    h.require(Right.LIST);
    Labels visible = narrow(h.out, labels(filterValue, "list labels"), "out");
    List<Object> out = new ArrayList<>();
    for (Target t : targets.values()) if (t.labels.matches(visible)) out.add(t.labels.toValue());
    return out;
  }

  Ref watch(Handle h, Object watcherValue) {
    h.require(Right.LIST);
    Ref ref = server(watcherValue);
    Bytes client = caller().sessionId();
    hold(client, 1, MAX_WATCHERS_PER_CLIENT, "watchers (maxWatchersPerClient " + MAX_WATCHERS_PER_CLIENT + ")");
    Watcher w = new Watcher(h, ref);
    watchers.add(w);
    for (Target t : targets.values()) if (t.labels.matches(h.out)) ref.sendOnly("registered", t.labels.toValue());
    ref.whenBroken(reason -> {
      if (watchers.remove(w)) release(client, 1);
    });
    return peer.spawn(Methods.builder().on("cancel", a -> {
      if (watchers.remove(w)) release(client, 1);
      return Null.NULL;
    }).build());
  }

  private void announce(String event, Target t) {
    for (Watcher w : List.copyOf(watchers)) {
      if (t.labels.matches(w.handle().out)) w.ref().sendOnly(event, t.labels.toValue());
    }
  }

  // ---------------------------------------------------------------- helpers

  private Descriptor[] pair() {
    try {
      return sockets.pair();
    } catch (IOException e) {
      throw Errors.of(Code.RESOURCE_EXHAUSTED, "could not make a socket pair: " + e.getMessage());
    }
  }

  private static SessionInfo caller() {
    return Peer.caller().orElseThrow(() -> Errors.of(Code.INVALID_ARGUMENT,
        "Switchboard methods must be called directly over a session, not through a promise"));
  }

  private static Labels credentials(String uid, String gid, String pid) {
    PeerCredentials c = caller().peerCredentials().orElse(null);
    if (c == null) return Labels.empty();
    return Labels.of(uid, Long.toString(c.uid()), gid, Long.toString(c.gid()), pid, Long.toString(c.pid()));
  }

  private static Labels labels(Object value, String what) {
    try {
      return Labels.fromValue(value, what);
    } catch (IllegalArgumentException e) {
      throw Errors.invalid(e.getMessage());
    }
  }

  /** Labels only grow: a key the handle fixes keeps its value. */
  private static Labels narrow(Labels fixed, Labels asked, String side) {
    var conflict = fixed.conflictWith(asked);
    if (conflict.isPresent()) {
      String k = conflict.get();
      throw Errors.denied("label '" + k + "' is fixed to '" + fixed.get(k).orElseThrow() + "' by this handle's "
          + side + "-labels; it cannot become '" + asked.get(k).orElseThrow() + "'");
    }
    return union(fixed, asked, side + "-labels");
  }

  /** The union of two matching sets; a union over the label bound is INVALID_ARGUMENT. */
  private static Labels union(Labels a, Labels b, String what) {
    try {
      return a.merge(b);
    } catch (IllegalArgumentException e) {
      throw Errors.invalid(what + ": " + e.getMessage());
    }
  }

  private static void reserved(Labels labels, Set<String> reserved, String what) {
    Set<String> bad = labels.keysIn(reserved);
    if (!bad.isEmpty()) {
      throw Errors.invalid(what + " set reserved labels " + bad + ", which only the Switchboard sets");
    }
  }

  private static Ref server(Object value) {
    if (!(value instanceof Ref r)) throw Errors.invalid("expected an object reference, got " + value);
    return r;
  }
}
