package io.capnet.cli;

import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** nc over the Switchboard, like Flower's flower_cat. */
@Command(
    name = "cat",
    mixinStandardHelpOptions = true,
    description = "Connect to the server the labels match (or, with -l, serve under them) and copy"
        + " stdin to the connection and the connection to stdout, with half-close: end of stdin shuts"
        + " down the sending side, and the command ends when the other side has finished sending."
        + " The labels become both the in- and out-labels of a constrained handle, as flower_cat's do."
        + " The connection labels are printed to stderr.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:the Switchboard refused (the message starts with its code, e.g. NOT_FOUND)",
        "2:usage error (e.g. a label value that is not a string)", "3:no Switchboard could be reached, or the connection failed"})
final class CatCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin SwitchboardOption switchboard;

  @Option(names = "-l", description = "serve one connection instead of connecting")
  boolean listen;

  @Option(names = "-k", description = "with -l, keep serving connections, one after another")
  boolean keep;

  @Parameters(paramLabel = "LABELS-JSON", description = "a JSON object of string values, e.g. '{\"svc\":\"db\"}'")
  String labelsJson;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Labels labels = ClientExit.labels(labelsJson, err, "cat");
    if (labels == null) return ClientExit.USAGE;
    return ClientExit.withSwitchboard(switchboard, err, "cat", root -> {
      Switchboard sb = root.constrain(EnumSet.of(listen ? Right.SERVER_START : Right.CLIENT_CONNECT), labels, labels);
      Stdin stdin = new Stdin();
      if (!listen) {
        Switchboard.Introduction intro = sb.connect(Labels.empty());
        err.println("connected: " + intro.labels().toJson());
        err.flush();
        copyBothWays(intro.socket(), stdin);
        return 0;
      }
      LinkedBlockingQueue<Switchboard.Introduction> arrivals = new LinkedBlockingQueue<>();
      try (Switchboard.Registration reg = sb.serve(Labels.empty(), arrivals::add)) {
        err.println("serving: " + reg.labels().toJson());
        err.flush();
        do {
          Switchboard.Introduction intro = arrivals.take();
          if (!keep) {
            // A one-shot server takes no connection it will never serve.
            reg.cancel();
            for (Switchboard.Introduction extra; (extra = arrivals.poll()) != null; ) extra.socket().close();
          }
          err.println("accepted: " + intro.labels().toJson());
          err.flush();
          copyBothWays(intro.socket(), stdin);
        } while (keep);
      }
      return 0;
    });
  }

  /**
   * One thread reads stdin for the whole run and writes to whichever connection is being served
   * now, so that with -k no finished connection keeps a reader that steals the next one's input.
   */
  private static final class Stdin {
    private final java.util.concurrent.LinkedBlockingQueue<byte[]> chunks = new java.util.concurrent.LinkedBlockingQueue<>();
    private static final byte[] EOF = new byte[0];
    private boolean started;

    /** The next chunk of stdin, or null at its end; blocks. */
    byte[] next() throws InterruptedException {
      if (!started) {
        started = true;
        Thread.ofPlatform().daemon(true).name("cat-stdin").start(() -> {
          byte[] buf = new byte[16384];
          try {
            for (int n; (n = System.in.read(buf)) > 0; ) chunks.add(java.util.Arrays.copyOf(buf, n));
          } catch (IOException e) {
            // stdin is gone: treat it as its end
          }
          chunks.add(EOF);
        });
      }
      byte[] c = chunks.take();
      if (c == EOF) {
        chunks.add(EOF); // every later connection sees the end at once
        return null;
      }
      return c;
    }
  }

  /** stdin to the socket on a helper thread, the socket to stdout here; ends when the peer stops sending. */
  private static void copyBothWays(io.capnet.value.Descriptor socket, Stdin stdin) throws IOException {
    // Any stream socket: a unix pair's end, or a TCP connection from an ingress or an egress.
    try (socket; java.nio.channels.SocketChannel ch = org.newsclub.net.unix.FileDescriptorCast
        .using(socket.fileDescriptor()).as(java.nio.channels.SocketChannel.class)) {
      ch.configureBlocking(true); // the flag is shared by every copy of a socket; it may arrive non-blocking
      Thread upstream = Thread.ofVirtual().name("cat-upstream").start(() -> {
        try {
          for (byte[] c; (c = stdin.next()) != null; ) {
            ByteBuffer b = ByteBuffer.wrap(c);
            while (b.hasRemaining()) ch.write(b);
          }
          ch.shutdownOutput();
        } catch (IOException | InterruptedException e) {
          // The connection ended (or we are moving on): its unsent chunk is dropped with it.
        }
      });
      OutputStream out = System.out;
      ByteBuffer buf = ByteBuffer.allocate(16384);
      while (ch.read(buf) > 0) {
        out.write(buf.array(), 0, buf.position());
        out.flush();
        buf.clear();
      }
      upstream.interrupt();
      try {
        upstream.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
