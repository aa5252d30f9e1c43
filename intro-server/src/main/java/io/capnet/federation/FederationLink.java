package io.capnet.federation;

import io.capnet.captp.BrokenException;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.locator.Sturdyref;
import io.capnet.netlayer.Connection;
import io.capnet.netlayer.Netlayer;
import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.SwitchboardProtocol;
import io.capnet.unix.UnixSockets;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client side of a federation link (host A): an egress on this host's Switchboard whose
 * connections are made by a remote {@link FederationEndpoint}, reached over tcp-tls by its
 * sturdyref. Each connection's bytes cross one TLS connection. See spec/federation.md.
 */
public final class FederationLink implements AutoCloseable {
  /** Added to the connection labels: the remote endpoint's designator. */
  public static final String FEDERATION_PEER = "federation_peer";
  /** Credential labels describe processes on one host; they do not cross the link. */
  static final Set<String> HOST_LOCAL = new HashSet<>();

  static {
    HOST_LOCAL.addAll(SwitchboardProtocol.CLIENT_RESERVED);
    HOST_LOCAL.addAll(SwitchboardProtocol.SERVER_CREDENTIALS);
  }

  private final Peer peer;
  private final Netlayer tcpTls;
  private final Sturdyref remote;
  private final Ref endpoint;
  private final Switchboard.Registration registration;
  private final Labels own;

  private FederationLink(Switchboard switchboard, Netlayer tcpTls, String sturdyref, Labels labels)
      throws IOException, SwitchboardException {
    this.tcpTls = tcpTls;
    this.remote = Sturdyref.parse(sturdyref);
    this.own = labels;
    this.peer = Peer.builder().name("federation-link").netlayer(tcpTls).build();
    try {
      this.endpoint = (Ref) peer.enliven(remote).future().get(30, TimeUnit.SECONDS);
      this.registration = switchboard.egress(labels, this::open);
    } catch (ExecutionException e) {
      peer.close();
      throw new IOException("cannot reach the federation endpoint: " + rootMessage(e), e);
    } catch (TimeoutException | InterruptedException e) {
      peer.close();
      throw new IOException("the federation endpoint did not answer within 30 s", e);
    } catch (SwitchboardException | RuntimeException e) {
      peer.close();
      throw e;
    }
  }

  /**
   * Registers, on {@code switchboard}, an egress under {@code labels} whose connections go to the
   * host the endpoint {@code sturdyref} names, dialled on {@code tcpTls} (which carries this
   * host's identity).
   */
  public static FederationLink link(Switchboard switchboard, Netlayer tcpTls, String sturdyref, Labels labels)
      throws IOException, SwitchboardException {
    return new FederationLink(switchboard, tcpTls, sturdyref, labels);
  }

  /** The labels clients use to reach this link. */
  public Labels labels() {
    return registration.labels();
  }

  /** Runs on a virtual thread per client connect (the Switchboard client's egress callback). */
  private Switchboard.Introduction open(Labels connection) throws Exception {
    Set<String> drop = new HashSet<>(HOST_LOCAL);
    drop.addAll(registration.labels().asMap().keySet());
    Labels forwarded = connection.without(drop);
    Object answer;
    try {
      answer = endpoint.send("connect", forwarded.toValue()).future().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause() instanceof BrokenException b ? reason(b.reason()) : rootMessage(e));
    }
    if (!(answer instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof Bytes token)) {
      throw new IOException("the federation endpoint answered " + answer + ", not [token labels]");
    }
    Labels reached = Labels.fromValue(l.get(1), "remote connection labels").without(HOST_LOCAL)
        .with(FEDERATION_PEER, remote.peer().designator());
    Connection data = tcpTls.connect(remote.peer());
    UnixSockets.Pair pair;
    try {
      data.send(data.codec().encode(Record.of(FederationEndpoint.DATA_HELLO, token)), List.of());
      data.flush();
      pair = UnixSockets.pair();
    } catch (IOException e) {
      data.close();
      throw e;
    }
    Splice.start(pair.second(), data, "federated to " + remote.peer().designator());
    // A value the remote side answers differently from ours is left out: ours stands.
    return new Switchboard.Introduction(pair.first(), reached.without(reached.keysDifferingFrom(connection)));
  }

  private static String reason(Object r) {
    return r instanceof io.capnet.value.OcapnError e ? e.message() : String.valueOf(r);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) t = t.getCause();
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  @Override
  public void close() {
    try {
      registration.cancel();
    } catch (SwitchboardException e) {
      // the Switchboard is gone already
    }
    peer.close();
  }
}
