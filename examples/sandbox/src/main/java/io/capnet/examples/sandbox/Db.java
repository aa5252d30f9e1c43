package io.capnet.examples.sandbox;

import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** The db server: registered as {@code {"svc":"db"}}, it answers each line {@code L} with {@code db: L}. */
final class Db {
  static final Labels LABELS = Labels.of(Map.of("svc", "db"));

  private Db() {}

  static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: sandbox db SWITCHBOARD-SOCKET");
      System.exit(2);
    }
    Switchboard sb = Switchboard.open(Path.of(args[0]));
    sb.serve(LABELS, intro -> {
      try (UnixSocket s = UnixSockets.channel(intro.socket())) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.channel().socket().getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.channel().socket().getOutputStream();
        for (String line; (line = in.readLine()) != null; ) {
          out.write(("db: " + line + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (Exception e) {
        System.err.println("db: a connection failed: " + e);
      }
    });
    System.out.println("db serving " + LABELS.toJson());
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
