package io.capnet.unix;

import io.capnet.value.Descriptor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A handle on a Switchboard: rights plus fixed labels, as the daemon granted them. Calls block
 * until the daemon answers or {@link #DEFAULT_TIMEOUT} passes; a refusal is a
 * {@link SwitchboardException} with its code. Thread-safe.
 *
 * <p>Handles made by {@link #constrain} share the connection of the handle they came from;
 * {@link #close()} on the handle that was opened closes that connection, and with it every
 * registration made through it.
 */
public interface Switchboard extends AutoCloseable {
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** The environment variable naming an inherited handle socket's fd number. */
  String FD_VARIABLE = "CAPNET_SWITCHBOARD_FD";
  /** The environment variable holding a handle's sturdyref. */
  String STURDYREF_VARIABLE = "CAPNET_SWITCHBOARD";

  /** The handle this socket path's daemon gives this process (the root one, by default to its own uid). */
  static Switchboard open(Path socketPath) throws IOException, SwitchboardException {
    return SwitchboardClient.open(UnixSockets.connect(socketPath), "socket " + socketPath);
  }

  /** The handle served on an inherited socket, e.g. {@code CAPNET_SWITCHBOARD_FD}. */
  static Switchboard openFd(int fd) throws IOException, SwitchboardException {
    return SwitchboardClient.open(UnixSockets.fromInheritedFd(fd), "inherited fd " + fd);
  }

  /** The handle a socket (from {@link #socket()}) serves; takes ownership of it. */
  static Switchboard open(Descriptor handleSocket) throws IOException, SwitchboardException {
    return SwitchboardClient.open(UnixSockets.channel(handleSocket), "handle socket");
  }

  /** The handle a sturdyref names; its {@code path} hint says where the daemon listens. */
  static Switchboard openSturdyref(String uri) throws IOException, SwitchboardException {
    return SwitchboardClient.openSturdyref(uri);
  }

  /**
   * The handle this process was given: {@code CAPNET_SWITCHBOARD_FD}, else
   * {@code CAPNET_SWITCHBOARD}.
   *
   * @throws IOException naming both variables when neither is set
   */
  static Switchboard fromEnvironment() throws IOException, SwitchboardException {
    String fd = System.getenv(FD_VARIABLE);
    if (fd != null && !fd.isBlank()) {
      try {
        return openFd(Integer.parseInt(fd.trim()));
      } catch (NumberFormatException e) {
        throw new IOException(FD_VARIABLE + "=" + fd + " is not an fd number");
      }
    }
    String uri = System.getenv(STURDYREF_VARIABLE);
    if (uri != null && !uri.isBlank()) return openSturdyref(uri.trim());
    throw new IOException("no Switchboard: set " + FD_VARIABLE + " or " + STURDYREF_VARIABLE
        + ", or give a socket path");
  }

  Set<Right> rights();

  Labels inLabels();

  Labels outLabels();

  /** A narrower handle: a subset of the rights, and labels that may add keys but never change one. */
  Switchboard constrain(Set<Right> rights, Labels in, Labels out) throws SwitchboardException;

  /** This handle as a sturdyref URI, for {@code CAPNET_SWITCHBOARD} in a child's environment. */
  String sturdyref() throws SwitchboardException;

  /**
   * A sturdyref for a new handle narrowed as {@link #constrain} would, minted by this handle: it
   * appears in this handle's {@link #minted()} and only this handle drops it. With the daemon's
   * {@code --state-dir} it lasts until dropped, across restarts.
   */
  String mint(Set<Right> rights, Labels in, Labels out) throws SwitchboardException;

  /**
   * The sturdyrefs this handle made (by {@link #sturdyref()} and {@link #mint}) and has not
   * dropped, oldest first. The daemon keeps only a hash of each, so it lists their ids, not
   * their URIs.
   */
  List<Minted> minted() throws SwitchboardException;

  /** One sturdyref a handle made: its id, and the rights and labels of the handle it designates. */
  record Minted(String id, Set<Right> rights, Labels in, Labels out) {}

  /**
   * Stops a sturdyref this handle made from reaching it, given its URI or its id from
   * {@link #minted()}; handles already fetched with it keep working.
   */
  void dropSturdyref(String uriOrId) throws SwitchboardException;

  /** A fresh socket the daemon serves with this handle, for a child's {@code CAPNET_SWITCHBOARD_FD}. */
  Descriptor socket() throws SwitchboardException;

  /** Connects to the one server the labels match; both sides get the union of the labels. */
  Introduction connect(Labels labels) throws SwitchboardException;

  /**
   * Registers a server. Each connection arrives on {@code incoming}, called on its own virtual
   * thread; the registration lasts until cancelled or this connection ends.
   */
  Registration serve(Labels labels, Consumer<Introduction> incoming) throws SwitchboardException;

  /**
   * Pushes a socket this process accepted (an ingress) to the server the labels match; returns
   * the connection labels. The socket moves to the server. An ingress never reaches an egress.
   */
  Labels ingress(Descriptor socket, Labels labels) throws SwitchboardException;

  /**
   * Registers an egress: for each client connect that matches it, {@code opener} (on its own
   * virtual thread) opens the connection the labels describe and returns its socket, or throws
   * an exception whose message the client receives.
   */
  Registration egress(Labels labels, Opener opener) throws SwitchboardException;

  /**
   * Registers a resolver for connects whose labels have every one of {@code keys}: it answers
   * with target labels (and weights), which the daemon merges into the client's labels before
   * matching. Runs on its own virtual thread per question.
   */
  Registration resolver(Set<String> keys, Resolve resolve) throws SwitchboardException;

  /**
   * Opens an egress connection: the socket, and labels that describe what it reached (merged
   * into the connection labels the client gets; often empty).
   */
  @FunctionalInterface
  interface Opener {
    Introduction open(Labels connectionLabels) throws Exception;
  }

  /** Resolves a resolver's keys into targets. */
  @FunctionalInterface
  interface Resolve {
    Resolution resolve(Labels question) throws Exception;
  }

  /** A resolver's answer: weighted targets, and how long the daemon may cache them. */
  record Resolution(List<Target> targets, Duration maxCache) {
    public record Target(Labels labels, long weight) {}
  }

  /** The label sets of the servers this handle can see, narrowed by {@code filter}. */
  List<Labels> list(Labels filter) throws SwitchboardException;

  /** Streams registrations and departures visible to this handle, starting with those now registered. */
  Registration watch(Watcher watcher) throws SwitchboardException;

  /**
   * Runs {@code reaction} (on its own virtual thread) once this handle's connection to the
   * daemon ends, with the reason; at once if it already has.
   */
  void onLost(java.util.function.Consumer<String> reaction);

  @Override
  void close();

  /** A socket to the other side, and the connection labels (the union of both sides' labels). */
  record Introduction(Descriptor socket, Labels labels) {}

  /** A registration or subscription; cancelling it is idempotent. */
  interface Registration extends AutoCloseable {
    Labels labels();

    void cancel() throws SwitchboardException;

    @Override
    default void close() throws SwitchboardException {
      cancel();
    }
  }

  /** Receives {@link #watch} events, one at a time. */
  interface Watcher {
    void registered(Labels labels);

    void departed(Labels labels);
  }
}
