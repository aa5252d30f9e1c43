package io.capnet.cli;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.locator.Sturdyref;
import io.capnet.netlayer.Netlayer;
import io.capnet.value.Bytes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Serves a greeter over tcp-tls (or unix, or tcp-testing-only) and prints its sturdyref. */
@Command(
    name = "serve-greeter",
    mixinStandardHelpOptions = true,
    description = "Serve a greeter object over the tcp-tls netlayer (the unix one with --switchboard PATH,"
        + " tcp-testing-only with --insecure-testing-netlayer). Prints its sturdyref URI on one line, then"
        + " serves until stopped. The greeter answers greet(NAME) with \"Hello, NAME\". The URI is a secret:"
        + " whoever holds it can use the greeter. Try: capnet call URI greet World",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "1:could not listen or read the identity (the message says why)", "2:usage error"})
final class ServeGreeterCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--identity", paramLabel = "FILE",
      description = "the Ed25519 key file (capnet identity new FILE), on tcp-tls and unix alike; default: a"
          + " fresh identity for this run")
  Path identity;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "0", description = "port to listen on; 0 picks a free one (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--swiss", paramLabel = "SECRET",
      description = "the swiss number to export the greeter under, for a sturdyref that stays the same across"
          + " runs with the same --identity (and --port on tcp-tls); default: a fresh random one")
  String swiss;

  @Option(names = "--switchboard", paramLabel = "PATH",
      description = "serve on the unix netlayer, registered with the Switchboard daemon at PATH")
  Path switchboard;

  @Option(names = "--insecure-testing-netlayer",
      description = "serve on tcp-testing-only at --host/--port: plain TCP with no authentication or"
          + " encryption, for interoperability tests only")
  boolean insecure;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Netlayer netlayer;
    try {
      if (switchboard != null && insecure) {
        spec.commandLine().getErr().println("capnet serve-greeter: give --switchboard or --insecure-testing-netlayer, not both");
        return Capnet.USAGE;
      }
      if (switchboard != null) {
        netlayer = identity == null ? io.capnet.unix.UnixNetlayer.open(switchboard)
            : io.capnet.unix.UnixNetlayer.open(io.capnet.locator.Ed25519KeyFile.load(identity), switchboard);
      } else if (insecure) {
        spec.commandLine().getErr().println("capnet serve-greeter: " + CliNetlayer.INSECURE_WARNING);
        netlayer = io.capnet.netlayer.Netlayers.tcpTestingOnly(host, port);
      } else {
        netlayer = TcpTlsCli.netlayer(identity, host, port);
      }
    } catch (IOException | io.capnet.unix.SwitchboardException | RuntimeException e) {
      spec.commandLine().getErr().println("capnet serve-greeter: " + e.getMessage());
      return Capnet.REFUSED;
    }
    Peer peer = Peer.builder().name("greeter").netlayer(netlayer).build();
    Ref greeter = peer.spawn(Methods.builder().on("greet", a -> "Hello, " + greetee(a)).build());
    Sturdyref uri = swiss == null ? peer.export(greeter)
        : peer.export(greeter, Bytes.of(swiss.getBytes(StandardCharsets.UTF_8)));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      peer.close();
      stopped.countDown();
    }));
    out.println(uri.toUri());
    out.flush();
    stopped.await();
    return 0;
  }

  private static Object greetee(java.util.List<Object> args) {
    if (args.size() != 1) throw new IllegalArgumentException("greet takes one name, got " + args.size() + " arguments");
    Object name = args.get(0);
    return name instanceof String s ? s : io.capnet.value.Values.describe(name, 200);
  }
}
