package io.capnet.unix;

import io.capnet.captp.Methods;
import io.capnet.captp.Ref;
import io.capnet.value.Descriptor;
import io.capnet.value.Null;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** A handle held through a {@link SwitchboardClient}. */
final class SwitchboardHandle implements Switchboard {
  private final SwitchboardClient client;
  final Ref ref;
  private final Set<Right> rights;
  private final Labels in;
  private final Labels out;
  private final boolean owner;

  SwitchboardHandle(SwitchboardClient client, Ref ref, Set<Right> rights, Labels in, Labels out, boolean owner) {
    this.client = client;
    this.ref = ref;
    this.rights = Set.copyOf(rights);
    this.in = in;
    this.out = out;
    this.owner = owner;
  }

  @Override
  public Set<Right> rights() {
    return rights;
  }

  @Override
  public Labels inLabels() {
    return in;
  }

  @Override
  public Labels outLabels() {
    return out;
  }

  @Override
  public Switchboard constrain(Set<Right> rights, Labels in, Labels out) throws SwitchboardException {
    Ref narrower = (Ref) SwitchboardClient.await(ref.send("constrain", Right.names(rights), in.toValue(), out.toValue()));
    // The daemon accepted exactly these rights and these labels merged into ours: no need to ask.
    return new SwitchboardHandle(client, narrower, rights, this.in.merge(in), this.out.merge(out), false);
  }

  @Override
  public String sturdyref() throws SwitchboardException {
    return (String) SwitchboardClient.await(ref.send("sturdyref"));
  }

  @Override
  public String mint(Set<Right> rights, Labels in, Labels out) throws SwitchboardException {
    return (String) SwitchboardClient.await(ref.send("mint", Right.names(rights), in.toValue(), out.toValue()));
  }

  @Override
  public List<Minted> minted() throws SwitchboardException {
    Object answer = SwitchboardClient.await(ref.send("minted"));
    List<Minted> out = new ArrayList<>();
    try {
      for (Object o : (List<?>) answer) {
        Map<?, ?> m = (Map<?, ?>) o;
        out.add(new Minted((String) m.get("id"), Right.parse((List<?>) m.get("rights")),
            Labels.fromValue(m.get("in"), "minted in-labels"), Labels.fromValue(m.get("out"), "minted out-labels")));
      }
    } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
      throw new SwitchboardException(SwitchboardException.Code.UNAVAILABLE, "the daemon answered minted with " + answer);
    }
    return out;
  }

  @Override
  public void dropSturdyref(String uri) throws SwitchboardException {
    SwitchboardClient.await(ref.send("drop-sturdyref", uri));
  }

  @Override
  public Descriptor socket() throws SwitchboardException {
    return (Descriptor) SwitchboardClient.await(ref.send("socket"));
  }

  @Override
  public Introduction connect(Labels labels) throws SwitchboardException {
    return introduction(SwitchboardClient.await(ref.send("connect", labels.toValue())));
  }

  /** The answer to connect; a malformed one is refused and every descriptor in it closed. */
  static Introduction introduction(Object answer) throws SwitchboardException {
    if (!(answer instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof Descriptor fd)) {
      Descriptor.closeAllIn(answer);
      throw new SwitchboardException(SwitchboardException.Code.UNKNOWN, "connect answered "
          + io.capnet.value.Values.describe(answer, 200) + ", not [socket labels]");
    }
    try {
      return new Introduction(fd, Labels.fromValue(l.get(1), "connection labels"));
    } catch (RuntimeException e) {
      fd.close();
      throw e;
    }
  }

  @Override
  public Registration serve(Labels labels, Consumer<Introduction> incoming) throws SwitchboardException {
    Ref reg = (Ref) SwitchboardClient.await(ref.send("serve", labels.toValue(), client.incomingObject(incoming)));
    return registration(reg);
  }

  /** Registers this client's peer identity; its connects then carry the proven designator. */
  PeerRegistration registerPeer(java.security.KeyPair identity, Consumer<Introduction> incoming)
      throws SwitchboardException {
    var challenge = (io.capnet.value.Bytes) SwitchboardClient.await(ref.send("challenge"));
    Ref reg = (Ref) SwitchboardClient.await(ref.send("register-peer",
        io.capnet.locator.Designators.rawEd25519(identity.getPublic()),
        SwitchboardClient.signChallenge(identity, challenge), client.incomingObject(incoming)));
    return new PeerRegistration(reg, registration(reg));
  }

  /** A peer registration: cancellable, and the way to connect as the registered designator. */
  record PeerRegistration(Ref ref, Registration registration) {
    Introduction connect(Labels labels) throws SwitchboardException {
      return introduction(SwitchboardClient.await(ref.send("connect", labels.toValue())));
    }
  }

  private static Registration registration(Ref reg) throws SwitchboardException {
    Labels labels = Labels.fromValue(SwitchboardClient.await(reg.send("labels")), "registration labels");
    return new Registration() {
      @Override
      public Labels labels() {
        return labels;
      }

      @Override
      public void cancel() throws SwitchboardException {
        SwitchboardClient.await(reg.send("cancel"));
      }
    };
  }

  @Override
  public Labels ingress(Descriptor socket, Labels labels) throws SwitchboardException {
    return Labels.fromValue(SwitchboardClient.await(ref.send("ingress", socket, labels.toValue())), "connection labels");
  }

  @Override
  public Registration egress(Labels labels, Opener opener) throws SwitchboardException {
    Ref callback = client.peer.spawn(Methods.builder().on("connect", a -> client.offVat(() -> {
      Introduction opened = opener.open(Labels.fromValue(a.get(0), "connection labels"));
      return opened.labels().isEmpty() ? opened.socket() : List.of(opened.socket(), opened.labels().toValue());
    })).build());
    return registration((Ref) SwitchboardClient.await(ref.send("egress", labels.toValue(), callback)));
  }

  @Override
  public Registration resolver(Set<String> keys, Resolve resolve) throws SwitchboardException {
    Ref callback = client.peer.spawn(Methods.builder().on("resolve", a -> client.offVat(() -> {
      Resolution r = resolve.resolve(Labels.fromValue(a.get(0), "resolve labels"));
      List<Object> targets = new ArrayList<>();
      for (Resolution.Target t : r.targets()) targets.add(Map.of("labels", t.labels().toValue(), "weight", t.weight()));
      return Map.of("targets", targets, "max-cache-seconds", r.maxCache().toSeconds());
    })).build());
    Ref reg = (Ref) SwitchboardClient.await(ref.send("resolver", new ArrayList<>(new java.util.TreeSet<>(keys)), callback));
    return new Registration() {
      @Override
      public Labels labels() {
        return Labels.empty();
      }

      @Override
      public void cancel() throws SwitchboardException {
        SwitchboardClient.await(reg.send("cancel"));
      }
    };
  }

  @Override
  public List<Labels> list(Labels filter) throws SwitchboardException {
    List<Labels> out = new ArrayList<>();
    for (Object o : (List<?>) SwitchboardClient.await(ref.send("list", filter.toValue()))) {
      out.add(Labels.fromValue(o, "listed labels"));
    }
    return out;
  }

  @Override
  public Registration watch(Watcher watcher) throws SwitchboardException {
    Ref callback = client.peer.spawn(Methods.builder()
        .on("registered", a -> {
          watcher.registered(Labels.fromValue(a.get(0), "labels"));
          return Null.NULL;
        })
        .on("departed", a -> {
          watcher.departed(Labels.fromValue(a.get(0), "labels"));
          return Null.NULL;
        }).build());
    Ref sub = (Ref) SwitchboardClient.await(ref.send("watch", callback));
    return new Registration() {
      @Override
      public Labels labels() {
        return out;
      }

      @Override
      public void cancel() throws SwitchboardException {
        SwitchboardClient.await(sub.send("cancel"));
      }
    };
  }

  @Override
  public void onLost(Consumer<String> reaction) {
    ref.whenBroken(reason -> Thread.ofVirtual().name("switchboard-lost").start(() -> reaction.accept(
        reason instanceof io.capnet.value.OcapnError e ? e.message() : String.valueOf(reason))));
  }

  /** The designator the daemon announced for its session with us. */
  String daemonDesignator() {
    return client.peer.sessions().stream().map(io.capnet.locator.PeerLocator::designator).findFirst().orElse("");
  }

  @Override
  public void close() {
    if (owner) client.close();
  }

  @Override
  public String toString() {
    return "Switchboard[" + client.description + " " + Right.names(rights) + " in=" + in + " out=" + out + "]";
  }
}
