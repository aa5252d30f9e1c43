package io.capnet.bench;

/**
 * {@code ./capnet bench codec} prints the codec report (ratios against cbor-java);
 * {@code ./capnet bench captp} prints the CapTP session report (round-trip latency and sendOnly
 * throughput against raw sockets); {@code ./capnet bench tcp-tls} prints the tcp-tls report
 * (connect, bulk and round trip against bare JDK TLS 1.3 and tcp-testing-only);
 * {@code ./capnet bench unix} prints the unix-transport report (introduction latency, bytes/s,
 * CapTP round trip against raw sockets and gRPC, daemon heap per idle client);
 * {@code ./capnet bench loop} runs the event loop's round trips and sendOnly rates against raw
 * baselines, interleaved in one JVM (median ratios over rounds); any other
 * arguments go to JMH's own main (e.g. {@code ./capnet bench CodecBench -prof gc}).
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("codec")) {
      CodecReport.main(java.util.Arrays.copyOfRange(args, 1, args.length));
    } else if (args.length > 0 && args[0].equals("tcp-tls")) {
      TcpTlsReport.main(java.util.Arrays.copyOfRange(args, 1, args.length));
    } else if (args.length > 0 && args[0].equals("captp")) {
      CaptpReport.main(java.util.Arrays.copyOfRange(args, 1, args.length));
    } else if (args.length > 0 && args[0].equals("federation")) {
      FederationReport.main(java.util.Arrays.copyOfRange(args, 1, args.length));
    } else if (args.length > 0 && args[0].equals("loop")) {
      LoopReport.main(java.util.Arrays.copyOfRange(args, 1, args.length));
    } else if (args.length > 0 && args[0].equals("unix")) {
      UnixReport.main(java.util.Arrays.copyOfRange(args, 1, args.length));
    } else {
      org.openjdk.jmh.Main.main(args);
    }
  }
}
