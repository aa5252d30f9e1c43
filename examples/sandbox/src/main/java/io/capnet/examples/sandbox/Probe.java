package io.capnet.examples.sandbox;

import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * The untrusted child, run inside the sandbox: it uses the one handle it holds, then tries each
 * other way out it is told of, and prints one line per try. It judges nothing: the lines are
 * facts for whoever reads them ("REACHED" or "blocked: why").
 */
final class Probe {
  private Probe() {}

  static void main(String[] args) throws Exception {
    // Before this JVM opens any socket of its own: what it was handed.
    say("sockets held at start: fds " + socketFds());
    Switchboard sb = Switchboard.fromEnvironment();
    say("handle from " + Switchboard.FD_VARIABLE + "=" + System.getenv(Switchboard.FD_VARIABLE)
        + ": rights " + sb.rights() + ", out " + sb.outLabels().toJson());
    try (UnixSocket db = UnixSockets.channel(sb.connect(Labels.empty()).socket())) {
      OutputStream out = db.channel().socket().getOutputStream();
      out.write("ping\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      String reply = new BufferedReader(new InputStreamReader(db.channel().socket().getInputStream(),
          StandardCharsets.UTF_8)).readLine();
      say("connect {} -> " + Db.LABELS.toJson() + ": sent \"ping\", got \"" + reply + "\"");
    }
    refusal("serve " + Db.LABELS.toJson(), () -> sb.serve(Db.LABELS, intro -> {}).cancel());
    refusal("connect {\"svc\":\"web\"}", () -> sb.connect(Labels.of("svc", "web")).socket().close());
    refusal("list {}", () -> sb.list(Labels.empty()));
    for (String target : args) say(target + ": " + attempt(target));
    sb.close();
    say("probe done");
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void refusal(String what, Call call) {
    try {
      call.run();
      say(what + ": ALLOWED");
    } catch (SwitchboardException e) {
      say(what + ": refused: " + e.getMessage());
    } catch (Exception e) {
      say(what + ": failed: " + e);
    }
  }

  private static String attempt(String target) {
    try {
      if (target.startsWith("tcp:")) {
        String hostPort = target.substring(4);
        int colon = hostPort.lastIndexOf(':');
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 2000);
        }
      } else if (target.startsWith("unix:@")) {
        try (AFUNIXSocketChannel c = AFUNIXSocketChannel.open()) {
          c.connect(AFUNIXSocketAddress.inAbstractNamespace(target.substring(6)));
        }
      } else if (target.startsWith("unix:")) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          c.connect(UnixDomainSocketAddress.of(target.substring(5)));
        }
      } else if (target.equals("hold")) {
        say("hold: holding until stdin ends");
        System.in.transferTo(OutputStream.nullOutputStream());
        return "stdin ended";
      } else if (target.startsWith("write:")) {
        Files.writeString(Path.of(target.substring(6)), "the probe was here\n");
      } else {
        return "not a target (tcp:HOST:PORT, unix:PATH, unix:@NAME, write:PATH, hold)";
      }
      return "REACHED";
    } catch (Exception e) {
      return "blocked: " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static List<Integer> socketFds() throws java.io.IOException {
    List<Integer> fds = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : s.toList()) {
        try {
          if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) fds.add(Integer.parseInt(fd.getFileName().toString()));
        } catch (java.io.IOException e) {
          // the directory's own fd, closed once listed
        }
      }
    }
    Collections.sort(fds);
    return fds;
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
