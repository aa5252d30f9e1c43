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

/**
 * The server on host B, registered with B's Switchboard as {@code {"svc":"greeter","zone":"public"}}:
 * it prints each connection's labels and answers each line {@code L} with {@code host B greets L}.
 */
final class Greeter {
  static final Labels LABELS = Labels.of("svc", "greeter", "zone", "public");

  private Greeter() {}

  static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: cross-host server SWITCHBOARD-SOCKET");
      System.exit(2);
    }
    Switchboard sb = Switchboard.open(Path.of(args[0]));
    sb.serve(LABELS, intro -> {
      say("connection " + intro.labels().toJson());
      try (UnixSocket s = UnixSockets.channel(intro.socket())) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.channel().socket().getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.channel().socket().getOutputStream();
        for (String line; (line = in.readLine()) != null; ) {
          say("got " + line);
          out.write(("host B greets " + line + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (Exception e) {
        System.err.println("greeter: a connection failed: " + e);
      }
    });
    say("serving " + LABELS.toJson());
    Thread.currentThread().join(); // until killed
  }

  static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
