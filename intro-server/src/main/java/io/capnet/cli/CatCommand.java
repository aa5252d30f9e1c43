package io.capnet.cli;

import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import io.capnet.value.Descriptor;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.newsclub.net.unix.FileDescriptorCast;
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
        + " stdin to the connection and the connection to stdout. Each direction runs to its own end: end"
        + " of stdin shuts down the sending side, and the end of the connection ends stdout. A client, and a"
        + " served connection, end when both have ended; with -k, a connection ends once the client"
        + " has finished sending (and what was read of stdin is sent), so the rest of stdin goes to the next."
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

  @Option(names = "-q", paramLabel = "SECS", description = "after the end of stdin, wait SECS seconds for the"
      + " other side, then end the connection (as netcat's -q); 0 ends it at once")
  Integer quitAfter;

  @Parameters(paramLabel = "LABELS-JSON", description = "a JSON object of string values, e.g. '{\"svc\":\"db\"}'")
  String labelsJson;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Labels labels = ClientExit.labels(labelsJson, err, "cat");
    if (labels == null) return ClientExit.USAGE;
    if (quitAfter != null && quitAfter < 0) {
      err.println("capnet cat: -q takes a number of seconds, 0 or more; got " + quitAfter);
      return ClientExit.USAGE;
    }
    return ClientExit.withSwitchboard(switchboard, err, "cat", root -> {
      Switchboard sb = root.constrain(EnumSet.of(listen ? Right.SERVER_START : Right.CLIENT_CONNECT), labels, labels);
      Stdin stdin = new Stdin();
      if (!listen) {
        Switchboard.Introduction intro = sb.connect(Labels.empty());
        err.println("connected: " + intro.labels().toJson());
        err.flush();
        copyBothWays(intro.socket(), stdin, false, quitAfter);
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
          copyBothWays(intro.socket(), stdin, keep, quitAfter);
        } while (keep);
      }
      return 0;
    });
  }

  /**
   * One thread reads stdin for the whole run and hands chunks to whichever connection is being
   * served now. A chunk a connection could not send goes back to the front, so with -k no finished
   * connection takes, or drops, bytes meant for the next.
   */
  private static final class Stdin {
    private static final byte[] EOF = new byte[0];
    private final LinkedBlockingDeque<byte[]> chunks = new LinkedBlockingDeque<>();
    private boolean started;

    /** The next chunk, null at stdin's end, or {@link #NONE} if {@code stop} became true first. */
    synchronized byte[] next(BooleanSupplier stop) throws InterruptedException {
      if (!started) {
        started = true;
        Thread.ofPlatform().daemon(true).name("cat-stdin").start(() -> {
          byte[] buf = new byte[16384];
          try {
            for (int n; (n = System.in.read(buf)) > 0; ) chunks.add(Arrays.copyOf(buf, n));
          } catch (IOException e) {
            // stdin is gone: treat it as its end
          }
          chunks.add(EOF);
        });
      }
      while (!stop.getAsBoolean()) {
        // A short poll, not an interrupt: interrupting a thread in channel I/O closes the channel.
        byte[] c = chunks.poll(20, TimeUnit.MILLISECONDS);
        if (c == null) continue;
        if (c == EOF) {
          chunks.addFirst(EOF); // every later connection sees the end at once
          return null;
        }
        return c;
      }
      return NONE;
    }

    void giveBack(byte[] unsent) {
      chunks.addFirst(unsent);
    }

    static final byte[] NONE = new byte[0];
  }

  /**
   * Copies stdin to the connection on a helper thread and the connection to stdout here. Each
   * direction runs to its own end: stdin's end shuts down the sending side, and the connection's
   * end ends stdout, and the connection is over when both are done. With {@code -k} a connection is
   * over once the client has finished sending and the stdin already read is written, as OpenBSD nc's
   * listen mode, so that the rest of stdin goes to the next connection. {@code quitAfter}, when set,
   * closes the connection that many seconds after stdin's end.
   */
  private static void copyBothWays(Descriptor socket, Stdin stdin, boolean keep, Integer quitAfter)
      throws IOException, InterruptedException {
    // Any stream socket: a unix pair's end, or a TCP connection from an ingress or an egress.
    try (socket; SocketChannel ch = FileDescriptorCast.using(socket.fileDescriptor()).as(SocketChannel.class)) {
      ch.configureBlocking(true); // the flag is shared by every copy of a socket; it may arrive non-blocking
      AtomicBoolean stopSending = new AtomicBoolean();
      // A platform thread: a virtual one would switch the shared fd to non-blocking under
      // junixsocket, whose blocking read here then returns 0 and looks like the end.
      Thread upstream = Thread.ofPlatform().daemon(true).name("cat-upstream")
          .start(() -> send(ch, stdin, stopSending, quitAfter));
      OutputStream out = System.out;
      ByteBuffer buf = ByteBuffer.allocate(16384);
      try {
        while (ch.read(buf) > 0) {
          out.write(buf.array(), 0, buf.position());
          out.flush();
          buf.clear();
        }
      } catch (ClosedChannelException e) {
        // -q closed it
      } catch (IOException e) {
        // a reset is the connection's end too
      }
      out.flush();
      if (keep) stopSending.set(true); // the client has finished: the rest of stdin is for the next one
      else out.close(); // nothing more will come: let whoever reads stdout see its end now
      upstream.join();
    }
  }

  /** stdin to the connection until stdin ends, the connection fails, or {@code stop} is set. */
  private static void send(SocketChannel ch, Stdin stdin, AtomicBoolean stop, Integer quitAfter) {
    try {
      for (byte[] c; (c = stdin.next(stop::get)) != Stdin.NONE; ) {
        if (c == null) {
          ch.shutdownOutput();
          if (quitAfter != null) quitLater(ch, quitAfter);
          return;
        }
        ByteBuffer b = ByteBuffer.wrap(c);
        try {
          while (b.hasRemaining()) ch.write(b);
        } catch (IOException e) {
          stdin.giveBack(Arrays.copyOfRange(c, b.position(), c.length)); // for the next connection (-k)
          return;
        }
      }
    } catch (IOException e) {
      // shutdownOutput on a connection the peer already closed: nothing left to tell it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void quitLater(SocketChannel ch, int seconds) {
    Thread.ofVirtual().name("cat-quit").start(() -> {
      try {
        Thread.sleep(seconds * 1000L);
        ch.close();
      } catch (IOException | InterruptedException e) {
        // the connection is ending anyway
      }
    });
  }
}
