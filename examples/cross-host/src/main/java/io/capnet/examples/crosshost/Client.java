package io.capnet.examples.crosshost;

import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The client on host A: connects by labels through A's Switchboard, sends one line, prints the answer. */
final class Client {
  private Client() {}

  static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: cross-host client SWITCHBOARD-SOCKET LABELS-JSON MESSAGE");
      System.exit(2);
    }
    try (Switchboard sb = Switchboard.open(Path.of(args[0]))) {
      Switchboard.Introduction intro = sb.connect(Labels.parseJson(args[1]));
      System.out.println("connected " + intro.labels().toJson());
      try (UnixSocket s = UnixSockets.channel(intro.socket())) {
        OutputStream out = s.channel().socket().getOutputStream();
        out.write((args[2] + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        String reply = new BufferedReader(new InputStreamReader(s.channel().socket().getInputStream(),
            StandardCharsets.UTF_8)).readLine();
        System.out.println("reply " + reply);
      }
    }
  }
}
