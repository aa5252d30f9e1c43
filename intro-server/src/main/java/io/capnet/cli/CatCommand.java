package io.capnet.cli;

import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import java.io.IOException;
import java.io.InputStream;
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
    Labels labels;
    try {
      labels = Labels.parseJson(labelsJson);
    } catch (IllegalArgumentException e) {
      err.println("capnet cat: " + e.getMessage());
      return ClientExit.USAGE;
    }
    try (Switchboard root = switchboard.open()) {
      Switchboard sb = root.constrain(EnumSet.of(listen ? Right.SERVER_START : Right.CLIENT_CONNECT), labels, labels);
      if (!listen) {
        Switchboard.Introduction intro = sb.connect(Labels.empty());
        err.println("connected: " + intro.labels().toJson());
        err.flush();
        copyBothWays(UnixSockets.channel(intro.socket()));
        return 0;
      }
      LinkedBlockingQueue<Switchboard.Introduction> arrivals = new LinkedBlockingQueue<>();
      try (Switchboard.Registration reg = sb.serve(Labels.empty(), arrivals::add)) {
        err.println("serving: " + reg.labels().toJson());
        err.flush();
        do {
          Switchboard.Introduction intro = arrivals.take();
          err.println("accepted: " + intro.labels().toJson());
          err.flush();
          copyBothWays(UnixSockets.channel(intro.socket()));
        } while (keep);
      }
      return 0;
    } catch (SwitchboardException e) {
      err.println("capnet cat: " + e.getMessage());
      return ClientExit.REFUSED;
    } catch (IOException e) {
      err.println("capnet cat: " + e.getMessage());
      return ClientExit.UNREACHABLE;
    }
  }

  /** stdin to the socket on a helper thread, the socket to stdout here; ends when the peer stops sending. */
  private static void copyBothWays(UnixSocket socket) throws IOException {
    try (socket) {
      var ch = socket.channel();
      Thread upstream = Thread.ofPlatform().daemon(true).name("cat-stdin").start(() -> {
        try {
          InputStream in = System.in;
          byte[] buf = new byte[16384];
          for (int n; (n = in.read(buf)) > 0; ) {
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
            while (b.hasRemaining()) ch.write(b);
          }
          ch.shutdownOutput();
        } catch (IOException e) {
          // The peer went away; the downstream copy sees it too.
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
    }
  }
}
