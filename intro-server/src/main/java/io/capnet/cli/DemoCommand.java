package io.capnet.cli;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.switchboard.SwitchboardDaemon;
import io.capnet.unix.Labels;
import io.capnet.unix.Switchboard;
import io.capnet.unix.UnixNetlayer;
import io.capnet.unix.UnixSocket;
import io.capnet.unix.UnixSockets;
import io.capnet.value.Descriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The main job, end to end on an embedded Switchboard. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Start a Switchboard on a temporary socket; register a server by labels; connect a"
        + " client by labels; exchange bytes over the direct socket; pass an open file descriptor in a"
        + " CapTP message between two unix-netlayer peers; print the connection labels; clean up.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every step worked", "1:a step failed (the message says which)"})
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    // The daemon's per-connection log lines would bury the demo's own output.
    java.util.logging.Logger.getLogger("io.capnet").setLevel(java.util.logging.Level.WARNING);
    Path dir = Files.createTempDirectory("capnet-demo-");
    try (SwitchboardDaemon daemon = SwitchboardDaemon.builder().socketPath(dir.resolve("switchboard.sock")).start()) {
      out.println("1. switchboard listening on " + daemon.socketPath());
      try (Switchboard server = Switchboard.open(daemon.socketPath());
           Switchboard client = Switchboard.open(daemon.socketPath())) {
        String labels = bytesOverAnIntroducedSocket(out, server, client);
        descriptorInACaptpMessage(out, server, client, dir);
        out.print(labels);
      }
    } catch (Exception e) {
      spec.commandLine().getErr().println("capnet demo: failed: " + e);
      return 1;
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      out.println("7. cleaned up " + dir);
      out.flush();
    }
    return 0;
  }

  private static String bytesOverAnIntroducedSocket(PrintWriter out, Switchboard server, Switchboard client)
      throws Exception {
    CompletableFuture<Switchboard.Introduction> accepted = new CompletableFuture<>();
    try (Switchboard.Registration reg = server.serve(Labels.of("service", "echo"), accepted::complete)) {
      out.println("2. server registered with labels " + reg.labels().toJson());
      Switchboard.Introduction intro = client.connect(Labels.of("service", "echo"));
      out.println("3. client connected by labels {\"service\":\"echo\"}");
      Switchboard.Introduction serverSide = accepted.get(10, TimeUnit.SECONDS);
      try (UnixSocket c = UnixSockets.channel(intro.socket()); UnixSocket s = UnixSockets.channel(serverSide.socket())) {
        c.channel().write(ByteBuffer.wrap("hello over a direct socket".getBytes(StandardCharsets.UTF_8)));
        c.channel().shutdownOutput();
        ByteBuffer got = ByteBuffer.allocate(256);
        while (s.channel().read(got) > 0) {}
        got.flip();
        s.channel().write(ByteBuffer.wrap(("echo: " + StandardCharsets.UTF_8.decode(got)).getBytes(StandardCharsets.UTF_8)));
        s.channel().shutdownOutput();
        ByteBuffer back = ByteBuffer.allocate(256);
        while (c.channel().read(back) > 0) {}
        back.flip();
        out.println("4. bytes exchanged, no relay: client got \"" + StandardCharsets.UTF_8.decode(back) + "\"");
      }
      return "6. connection labels, as both sides received them:\n"
          + "   client: " + intro.labels().toJson() + "\n"
          + "   server: " + serverSide.labels().toJson() + "\n";
    }
  }

  private static void descriptorInACaptpMessage(PrintWriter out, Switchboard server, Switchboard client, Path dir)
      throws Exception {
    Path file = dir.resolve("greeting.txt");
    Files.writeString(file, "the contents of an open file, read through a passed descriptor");
    try (Peer reader = Peer.builder().name("demo-reader").netlayer(UnixNetlayer.create(server)).build();
         Peer sender = Peer.builder().name("demo-sender").netlayer(UnixNetlayer.create(client)).build()) {
      Ref readFd = reader.spawn(Methods.builder().on("read", a -> {
        try (Descriptor fd = (Descriptor) a.get(0); FileInputStream in = new FileInputStream(fd.fileDescriptor())) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }).build());
      String uri = reader.export(readFd).toUri();
      FileInputStream opened = new FileInputStream(file.toFile());
      Object text = sender.enliven(uri).send("read", Descriptor.adopt(opened.getFD())).future().get(10, TimeUnit.SECONDS);
      out.println("5. passed an open fd for " + file.getFileName() + " in a CapTP message over the unix netlayer;"
          + " the other peer read: \"" + text + "\"");
    }
  }
}
