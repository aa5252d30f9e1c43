package io.capnet.examples.files;

import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.unix.UnixNetlayer;
import io.capnet.value.Descriptor;
import io.capnet.value.OcapnError;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A client that holds nothing but a capability from the file server (in {@code FILES_CAP},
 * which, unlike an argument, other users cannot read in {@code ps}). Each line on stdin is a
 * message to it: {@code open-read NAME} prints the file the server opened for it; anything
 * else is sent as it is, so that one can see what the server refuses.
 */
final class FileClient {
  private FileClient() {}

  static void main(String[] args) throws Exception {
    String capability = System.getenv("FILES_CAP");
    if (args.length != 1 || capability == null) {
      System.err.println("usage: FILES_CAP=ocapn://... file-server client SWITCHBOARD-SOCKET");
      System.exit(2);
    }
    try (Peer peer = Peer.builder().name("file-client").netlayer(UnixNetlayer.open(Path.of(args[0]))).build()) {
      Ref files;
      try {
        files = (Ref) peer.enliven(capability).future().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        System.err.println("file-client: cannot reach the file server's object: " + e.getCause().getMessage());
        System.exit(1);
        return;
      }
      files.whenBroken(reason -> System.out.println("* lost access: " + describe(reason)));
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        String[] words = line.trim().split("\\s+");
        if (words[0].isEmpty()) continue;
        try {
          Object answer = files.send(words[0], (Object[]) Arrays.copyOfRange(words, 1, words.length))
              .future().get(10, TimeUnit.SECONDS);
          if (answer instanceof Descriptor fd) {
            // The descriptor is this process's own now: read it, and close it.
            try (fd; FileInputStream file = new FileInputStream(fd.fileDescriptor())) {
              file.transferTo(System.out);
            }
            System.out.flush();
          } else {
            System.out.println(answer);
          }
        } catch (ExecutionException e) {
          System.out.println("refused: " + e.getCause().getMessage());
        }
      }
    }
  }

  private static String describe(Object reason) {
    return reason instanceof OcapnError e ? e.message() : String.valueOf(reason);
  }
}
