package io.capnet.examples.files;

import io.capnet.captp.Caretaker;
import io.capnet.captp.Facet;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.locator.Sturdyref;
import io.capnet.unix.UnixNetlayer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Serves the files under one directory to clients it grants access to, one by one, from its
 * console (stdin):
 *
 * <pre>
 * grant NAME     prints "NAME ocapn://...": the capability to hand to that client
 * revoke NAME    cuts that client off, for good
 * </pre>
 *
 * A client's capability is a caretaker (so that it can be revoked) around a facet that lets
 * only {@code open-read} through (so that it reads, and nothing else) around the directory.
 */
final class FileServer {
  private FileServer() {}

  /** One client's access, kept on the console's thread only. */
  private record Grant(Caretaker caretaker, Sturdyref sturdyref) {}

  static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: file-server server SWITCHBOARD-SOCKET ROOT-DIRECTORY");
      System.exit(2);
    }
    Directory directory = new Directory(Path.of(args[1]).toRealPath());
    try (Peer peer = Peer.builder().name("file-server").netlayer(UnixNetlayer.open(Path.of(args[0]))).build()) {
      Ref files = peer.spawn(directory.handler());
      Map<String, Grant> grants = new HashMap<>();
      BufferedReader console = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = console.readLine()) != null; ) {
        String[] words = line.trim().split("\\s+");
        if (words.length == 2 && words[0].equals("grant") && !grants.containsKey(words[1])) {
          Caretaker caretaker = Caretaker.of(peer, Facet.of(peer, files, "open-read"));
          Grant g = new Grant(caretaker, peer.export(caretaker.ref()));
          grants.put(words[1], g);
          System.out.println(words[1] + " " + g.sturdyref().toUri());
        } else if (words.length == 2 && words[0].equals("revoke") && grants.containsKey(words[1])) {
          Grant g = grants.remove(words[1]);
          g.caretaker().revoke("by the file server's operator");
          // The sturdyref would only reach a dead forwarder now; forget it too.
          peer.unexport(g.sturdyref().swissNumber());
          System.out.println("revoked " + words[1]);
        } else if (!line.isBlank()) {
          System.err.println("file-server: expected 'grant NAME' (a new name) or 'revoke NAME' (a granted one), got: " + line);
        }
      }
    }
  }
}
