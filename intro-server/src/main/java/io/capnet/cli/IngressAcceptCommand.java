package io.capnet.cli;

import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.SocketDescriptors;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.UnixSockets;
import io.capnet.value.Descriptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Brings real sockets into the Switchboard, like flower_ingress_accept. */
@Command(
    name = "ingress-accept",
    mixinStandardHelpOptions = true,
    description = "Listen on ADDRESS (host:port or [v6]:port, numeric; or a unix socket path) and push each"
        + " accepted socket to the server its labels match (needs INGRESS_CONNECT). Each connection is"
        + " labelled address_family (inet, inet6 or unix), and for inet and inet6 client_address,"
        + " client_port, server_address and server_port, all numeric, on top of LABELS-JSON. Prints the"
        + " address it listens on; logs each forward to stderr; a failed forward is logged and the loop"
        + " goes on.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"1:the Switchboard refused the handle", "2:usage error",
        "3:no Switchboard could be reached, it was lost, or ADDRESS could not be listened on"})
final class IngressAcceptCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin SwitchboardOption switchboard;

  @Parameters(index = "0", paramLabel = "ADDRESS", description = "127.0.0.1:8080, [::1]:8080, or /path/to/socket")
  String address;

  @Parameters(index = "1", arity = "0..1", paramLabel = "LABELS-JSON", description = "labels for every connection")
  String labelsJson;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Addresses.Address where;
    Labels labels;
    try {
      where = Addresses.parse(address);
      labels = labelsJson == null ? Labels.empty() : Labels.parseJson(labelsJson);
    } catch (IllegalArgumentException e) {
      err.println("capnet ingress-accept: " + e.getMessage());
      return ClientExit.USAGE;
    }
    try (Switchboard root = switchboard.open()) {
      Switchboard sb = root.constrain(EnumSet.of(Right.INGRESS_CONNECT), Labels.empty(), labels);
      AtomicReference<String> lost = new AtomicReference<>();
      try (java.nio.channels.ServerSocketChannel inet = where.inet() == null ? null : ServerSocketChannel.open();
           AFUNIXServerSocketChannel unix = where.path() == null ? null : AFUNIXServerSocketChannel.open()) {
        java.nio.channels.Channel listening;
        if (inet != null) {
          inet.bind(where.inet());
          listening = inet;
          InetSocketAddress bound = (InetSocketAddress) inet.getLocalAddress();
          out.println("listening on " + (where.family().equals("inet6") ? "[" + bound.getAddress().getHostAddress() + "]"
              : bound.getAddress().getHostAddress()) + ":" + bound.getPort());
        } else {
          unix.bind(AFUNIXSocketAddress.of(where.path()));
          listening = unix;
          out.println("listening on " + where.path());
        }
        out.flush();
        root.onLost(reason -> {
          lost.set(reason);
          try {
            listening.close();
          } catch (IOException e) {
            // the accept loop ends either way
          }
        });
        while (true) {
          java.nio.channels.Channel accepted;
          try {
            accepted = inet != null ? inet.accept() : unix.accept();
          } catch (IOException e) {
            if (lost.get() != null) break;
            err.println("capnet ingress-accept: accept failed: " + e.getMessage());
            err.flush();
            Thread.sleep(50);
            continue;
          }
          Descriptor socket;
          Labels connection;
          try {
            if (accepted instanceof AFUNIXSocketChannel u) { // before SocketChannel: it is one too
              connection = labels.merge(Labels.of("address_family", "unix"));
              socket = SocketDescriptors.of(UnixSockets.adopt(u));
            } else {
              SocketChannel c = (SocketChannel) accepted;
              InetSocketAddress client = (InetSocketAddress) c.getRemoteAddress();
              InetSocketAddress server = (InetSocketAddress) c.getLocalAddress();
              connection = labels.merge(Labels.of("address_family", where.family(),
                  "client_address", client.getAddress().getHostAddress(), "client_port", Integer.toString(client.getPort()),
                  "server_address", server.getAddress().getHostAddress(), "server_port", Integer.toString(server.getPort())));
              socket = SocketDescriptors.of(c);
            }
          } catch (IOException | RuntimeException e) {
            // A client that reset before we looked at it, say: it alone is dropped, not the loop.
            try {
              accepted.close();
            } catch (IOException ignored) {
              // it is gone either way
            }
            err.println("capnet ingress-accept: dropped a connection: " + e.getMessage());
            err.flush();
            continue;
          }
          Labels asked = connection;
          Thread.ofVirtual().name("ingress-forward").start(() -> forward(sb, socket, asked, err));
        }
      }
      err.println("capnet ingress-accept: lost the Switchboard: " + lost.get());
      return ClientExit.UNREACHABLE;
    } catch (SwitchboardException e) {
      err.println("capnet ingress-accept: " + e.getMessage());
      return ClientExit.REFUSED;
    } catch (IOException e) {
      err.println("capnet ingress-accept: " + e.getMessage());
      return ClientExit.UNREACHABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ClientExit.UNREACHABLE;
    }
  }

  private static void forward(Switchboard sb, Descriptor socket, Labels labels, PrintWriter err) {
    try {
      Labels connection = sb.ingress(socket, labels);
      synchronized (err) {
        err.println("forwarded " + connection.toJson());
        err.flush();
      }
    } catch (SwitchboardException | RuntimeException e) {
      socket.close();
      synchronized (err) {
        err.println("capnet ingress-accept: could not forward " + labels.toJson() + ": " + e.getMessage());
        err.flush();
      }
    }
  }
}
