package io.capnet.switchboard;

import io.capnet.captp.BrokenException;
import io.capnet.captp.OcapnKeys;
import io.capnet.captp.Peer;
import io.capnet.codec.Codec;
import io.capnet.locator.Designators;
import io.capnet.locator.PeerLocator;
import io.capnet.netlayer.PeerCredentials;
import io.capnet.tcptls.TlsIdentity;
import io.capnet.unix.Uds;
import io.capnet.unix.UdsStream;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import io.capnet.value.Bytes;
import io.capnet.value.Descriptor;
import io.capnet.value.OcapnError;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Switchboard's side of OCapN's unix-domain-socket introduction protocol (spec/uds.md
 * section 5): the handshake, then introductions between the peers registered this way. Each
 * connection runs on its own virtual thread, blocking; registrations are also entered in the
 * core (in the vat), so they are listed and watched like servers, with no rights of their own.
 */
final class UdsIntroductions {
  private static final System.Logger LOG = System.getLogger("io.capnet.switchboard");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SwitchboardCore core;
  private final Peer vat;
  private final TlsIdentity identity;
  private final Uds.SignatureForm form;
  private final ScheduledExecutorService timer;
  private final Duration writeDeadline;
  private final Duration handshakeDeadline;
  private final ConcurrentHashMap<String, Client> registered = new ConcurrentHashMap<>();

  /** A registered peer: where introductions to it are written. */
  private record Client(String designator, PeerLocator location, UdsStream stream) {}

  /** A refusal of the whole connection: sent as uds:abort. */
  private static final class Refusal extends Exception {
    Refusal(String message) {
      super(message);
    }
  }

  UdsIntroductions(SwitchboardCore core, Peer vat, TlsIdentity identity, Uds.SignatureForm form,
      ScheduledExecutorService timer, Duration writeDeadline, Duration handshakeDeadline) {
    this.core = core;
    this.vat = vat;
    this.identity = identity;
    this.form = form;
    this.timer = timer;
    this.writeDeadline = writeDeadline;
    this.handshakeDeadline = handshakeDeadline;
  }

  /** How many peers are registered through this protocol now. */
  int registrations() {
    return registered.size();
  }

  /** Serves one connection whose first byte, already read, was {@code '<'}; returns when it ends. */
  void serve(UnixSocket socket, UnixSockets.FirstByte first, Admission.Ticket ticket, String who) {
    UdsStream s = UdsStream.afterFirstByte(socket, first, form, timer, writeDeadline, "uds client " + who);
    boolean[] registeredYet = {false};
    var deadline = timer.schedule(() -> {
      synchronized (registeredYet) {
        if (registeredYet[0]) return;
      }
      // Not on the timer's one thread: the abort's write may wait for its deadline.
      Thread.ofVirtual().start(() -> s.abort("the introduction handshake did not finish within "
          + handshakeDeadline.toMillis() + " ms"));
    }, handshakeDeadline.toMillis(), TimeUnit.MILLISECONDS);
    Client c = null;
    SwitchboardCore.Target target = null;
    String why = "its connection ended";
    try {
      UdsStream.Received hello = s.read();
      if (hello == null) return;
      if (!(hello.message() instanceof Uds.Register reg)) {
        throw new Refusal("the first record must be uds:register, not " + name(hello.message()));
      }
      c = handshake(s, reg);
      if (c == null) return;
      Client mine = c;
      PeerCredentials creds = s.peerCredentials().orElse(null);
      try {
        target = inVat(() -> core.registerUds(mine.designator(), creds));
      } catch (BrokenException e) {
        throw new Refusal(e.reason() instanceof OcapnError err ? err.message() : String.valueOf(e.reason()));
      }
      synchronized (registeredYet) {
        registeredYet[0] = true;
      }
      deadline.cancel(false);
      ticket.started();
      registered.put(c.designator(), c);
      LOG.log(Level.INFO, "uds peer " + c.designator() + " registered (" + who + ")");
      for (UdsStream.Received r; (r = s.read()) != null; ) {
        if (!(r.message() instanceof Uds.NewConnection n)) {
          throw new Refusal("a registered peer may send only uds:new-connection, not " + name(r.message()));
        }
        Descriptor fd = s.readDescriptor();
        try {
          introduce(c, n, r.bytes(), fd);
        } finally {
          fd.close();
        }
      }
    } catch (Refusal e) {
      why = "refused: " + e.getMessage();
      LOG.log(Level.INFO, "uds connection from " + who + " refused: " + e.getMessage());
      s.abort(e.getMessage());
    } catch (UdsStream.ProtocolException e) {
      why = "refused: " + e.getMessage();
      LOG.log(Level.INFO, "uds connection from " + who + " refused: " + e.getMessage());
      s.abort(e.getMessage());
    } catch (IOException | RuntimeException e) {
      why = "it failed: " + e.getMessage();
      LOG.log(Level.INFO, "uds connection from " + who + " ended: " + e);
    } finally {
      deadline.cancel(false);
      s.close();
      ticket.closed();
      if (c != null) registered.remove(c.designator(), c);
      if (target != null) {
        SwitchboardCore.Target t = target;
        String reason = why;
        vat.execute(() -> core.departUds(t, reason));
      }
    }
  }

  /** Answers the register and checks the peer's signature; null if the stream ended. */
  private Client handshake(UdsStream s, Uds.Register reg) throws IOException, Refusal {
    byte[] challenge = new byte[Uds.CHALLENGE_BYTES];
    RANDOM.nextBytes(challenge);
    Bytes serverChallenge = Bytes.adopt(challenge);
    Bytes signature = Bytes.adopt(identity.sign(reg.challenge().toByteArray()));
    s.write(new Uds.ServerResponse(Bytes.of(identity.rawPublicKey()), serverChallenge,
        new Uds.Signed(reg.challenge(), signature)));
    UdsStream.Received r = s.read();
    if (r == null) return null;
    if (!(r.message() instanceof Uds.Signed signed)) {
      throw new Refusal("after uds:server-response the peer must send uds:signature, not " + name(r.message()));
    }
    String designator = reg.location().designator();
    if (!signed.payload().equals(serverChallenge)) {
      throw new Refusal("uds:signature signs a payload that is not the server-challenge sent on this connection"
          + " (a challenge is good for one connection and one answer)");
    }
    if (!OcapnKeys.verify(Bytes.of(Designators.ed25519Key(designator)), challenge, signed.signature())) {
      throw new Refusal("uds:signature does not verify with the key of the designator " + designator);
    }
    return new Client(designator, reg.location(), s);
  }

  private void introduce(Client from, Uds.NewConnection n, byte[] record, Descriptor fd) throws Refusal {
    if (!n.from().equals(from.location())) {
      throw new Refusal("from of uds:new-connection is " + n.from().toUri() + ", but this connection registered as "
          + from.location().toUri());
    }
    Client to = registered.get(n.to().designator());
    String toUri = n.to().withHints(java.util.Map.of()).toUri();
    if (to == null) {
      refuseIntroduction(fd, "uds introduction refused: no peer " + toUri + " is registered with this introduction server");
      LOG.log(Level.INFO, "uds introduction " + from.designator() + " -> " + n.to().designator() + " refused: not registered");
      return;
    }
    try {
      to.stream().writeIntroduction(record, fd);
      LOG.log(Level.INFO, "uds introduction " + from.designator() + " -> " + to.designator());
    } catch (IOException e) {
      refuseIntroduction(fd, "uds introduction refused: could not hand the connection to " + toUri + ": " + e.getMessage());
      to.stream().close();
    }
  }

  /** Tells the dialler why, as CapTP's op:abort on the end it meant for the other peer, and closes it. */
  private static void refuseIntroduction(Descriptor fd, String reason) {
    byte[] abort = Codec.syrup().encode(new Record(new Symbol("op:abort"), List.of(reason)));
    try (UnixSocket end = UnixSockets.channel(fd)) {
      ByteBuffer b = ByteBuffer.wrap(abort);
      // A fresh socket's buffer takes this at once: the write cannot block.
      while (b.hasRemaining()) end.channel().write(b);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "could not write the refusal on the handed socket", e);
    }
  }

  private static String name(Uds.Message m) {
    return switch (m) {
      case Uds.Register r -> "uds:register";
      case Uds.ServerResponse r -> "uds:server-response";
      case Uds.Signed r -> "uds:signature";
      case Uds.NewConnection r -> "uds:new-connection";
      case Uds.Abort r -> "uds:abort";
    };
  }

  private <T> T inVat(Supplier<T> task) throws IOException {
    try {
      return InVat.call(vat::execute, task);
    } catch (IllegalStateException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

}
