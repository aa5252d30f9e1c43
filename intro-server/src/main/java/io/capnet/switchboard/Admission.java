package io.capnet.switchboard;

import io.capnet.netlayer.Connection;
import io.capnet.netlayer.EventLoop;
import io.capnet.netlayer.ForwardingConnection;
import io.capnet.netlayer.Link;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Who may hold a connection to the daemon, in the spirit of sshd's {@code MaxStartups}: at most
 * {@code maxConnections} in all, {@code maxPerUid} from one uid, and {@code maxUnstartedPerUid}
 * of one uid's connections that have not yet had their {@code op:start-session} accepted (each
 * of those also ends at the session's {@code startTimeout}). So a local client that opens
 * thousands of idle connections, or dribbles a byte a second, holds only its own share, and
 * another uid still connects at once. A connection over a limit is closed as it is accepted.
 * Thread-safe: the accept thread admits, the vat releases.
 */
final class Admission {
  /** The limits; defaults in spec/limits.md ("Switchboard limits"). */
  record Limits(int maxConnections, int maxPerUid, int maxUnstartedPerUid) {
    static final Limits DEFAULT = new Limits(16_384, 16_384, 64);

    Limits {
      if (maxConnections < 1 || maxPerUid < 1 || maxUnstartedPerUid < 1) {
        throw new IllegalArgumentException("admission limits must be positive: " + maxConnections + ", " + maxPerUid
            + ", " + maxUnstartedPerUid);
      }
    }
  }

  private final Limits limits;
  private int total; // guarded by this
  private final Map<Long, int[]> byUid = new HashMap<>(); // uid -> {connections, unstarted}

  Admission(Limits limits) {
    this.limits = limits;
  }

  /** A connection held against the limits until it closes. */
  final class Ticket {
    private final int[] mine;
    private final long uid;
    private boolean started; // guarded by Admission.this
    private boolean closed;

    private Ticket(long uid, int[] mine) {
      this.uid = uid;
      this.mine = mine;
    }

    /** Its op:start-session was accepted: it no longer counts as unstarted. */
    void started() {
      synchronized (Admission.this) {
        if (started || closed) return;
        started = true;
        mine[1]--;
      }
    }

    void closed() {
      synchronized (Admission.this) {
        if (closed) return;
        closed = true;
        total--;
        mine[0]--;
        if (!started) mine[1]--;
        if (mine[0] == 0) byUid.remove(uid);
      }
    }
  }

  /** A ticket, or null after {@code refusal} says why the connection may not stay. */
  synchronized Ticket admit(long uid, StringBuilder refusal) {
    int[] mine = byUid.computeIfAbsent(uid, u -> new int[2]);
    String why = total >= limits.maxConnections() ? total + " connections in all (maxConnections)"
        : mine[0] >= limits.maxPerUid() ? mine[0] + " connections from uid " + uid + " (maxConnectionsPerUid)"
        : mine[1] >= limits.maxUnstartedPerUid()
            ? mine[1] + " connections from uid " + uid + " that have not started a session (maxUnstartedPerUid)"
            : null;
    if (why != null) {
      if (mine[0] == 0) byUid.remove(uid);
      refusal.append("already ").append(why);
      return null;
    }
    total++;
    mine[0]++;
    mine[1]++;
    return new Ticket(uid, mine);
  }

  synchronized int connections() {
    return total;
  }

  /** A connection that gives its ticket back when it starts its session and when it closes. */
  static final class Admitted extends ForwardingConnection {
    private final Ticket ticket;

    Admitted(Connection delegate, Ticket ticket) {
      super(delegate);
      this.ticket = ticket;
    }

    @Override
    public void close() throws IOException {
      ticket.closed();
      super.close();
    }

    @Override
    public Link attach(EventLoop loop, Link.Receiver receiver) throws IOException {
      Link link = super.attach(loop, new Link.Receiver() {
        @Override
        public void received(Object message) {
          receiver.received(message);
        }

        @Override
        public void ended(IOException cause) {
          ticket.closed();
          receiver.ended(cause);
        }
      });
      return new Link() {
        @Override
        public void send(byte[] message, List<Descriptor> descriptors) {
          link.send(message, descriptors);
        }

        @Override
        public long queuedBytes() {
          return link.queuedBytes();
        }

        @Override
        public void reading(boolean on) {
          link.reading(on);
        }

        @Override
        public void closeAfterFlush(long lingerMillis) {
          ticket.closed();
          link.closeAfterFlush(lingerMillis);
        }

        @Override
        public void close() {
          ticket.closed();
          link.close();
        }

        @Override
        public void sessionStarted() {
          ticket.started();
          link.sessionStarted();
        }

        @Override
        public boolean isOpen() {
          return link.isOpen();
        }
      };
    }
  }
}
