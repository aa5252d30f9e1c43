package io.capnet.cli;

import io.capnet.captp.Dialect;
import io.capnet.captp.Peer;
import io.capnet.netlayer.Netlayer;
import io.capnet.netlayer.Netlayers;
import io.capnet.netlayer.SyrupFraming;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Serves the standard OCapN test objects over tcp-testing-only for the OCapN test suite. */
@Command(
    name = "ocapn-test-peer",
    mixinStandardHelpOptions = true,
    description = "Serve the standard OCapN test objects over the tcp-testing-only netlayer, for the"
        + " OCapN test suite. Prints the peer's ocapn:// locator on one line, then runs until stopped."
        + " INSECURE: plain TCP, no authentication; for interoperability tests only.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "1:could not listen (the message says why)", "2:usage error"})
final class OcapnTestPeerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "0", description = "port to listen on; 0 picks a free one (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--dialect", defaultValue = "ADAPTIVE",
      description = "how no-answer sends and GC are spelled: ADAPTIVE learns it from each session's peer,"
          + " DRAFT is op:deliver..false false and op:gc-exports, LEGACY is op:deliver-only and op:gc-export"
          + " (default ${DEFAULT-VALUE})")
  Dialect dialect;

  @Option(names = "--framing", defaultValue = "BARE_SYRUP",
      description = "how it frames the messages of connections it dials: BARE_SYRUP (the test suite's),"
          + " LENGTH_PREFIXED (Endo's) or NETSTRING; it accepts all three (default ${DEFAULT-VALUE})")
  SyrupFraming framing;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Netlayer netlayer;
    try {
      netlayer = Netlayers.tcpTestingOnly(Netlayers.randomDesignator(), host, port, framing);
    } catch (IOException | RuntimeException e) {
      spec.commandLine().getErr().println("capnet ocapn-test-peer: cannot listen on " + host + ":" + port + ": " + e.getMessage());
      return Capnet.REFUSED;
    }
    // The suite checks op:gc-export traffic, which needs dropped imports to be noticed promptly.
    Peer peer = Peer.builder().name("ocapn-test-peer").netlayer(netlayer).dialect(dialect)
        .collectGarbageEvery(Duration.ofMillis(100)).build();
    OcapnTestObjects.install(peer);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      peer.close();
      stopped.countDown();
    }));
    out.println(peer.locator().toUri());
    out.flush();
    stopped.await();
    return 0;
  }
}
