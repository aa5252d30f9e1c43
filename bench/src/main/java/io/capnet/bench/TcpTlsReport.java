package io.capnet.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link TcpTlsBench} in one JMH run and prints each tcp-tls figure as a ratio against its
 * baseline from the same run. Targets: connect + op:start-session + first answer at most 1.3x a
 * bare TLS 1.3 mutual handshake plus one echo; bulk throughput at least 0.8x a bare TLS socket.
 * The CapTP round trip over tcp-tls is reported against tcp-testing-only, with no target.
 */
public final class TcpTlsReport {
  static final double CONNECT_TARGET = 1.3;
  static final double BULK_TARGET = 0.8;

  private TcpTlsReport() {}

  public static void main(String[] args) throws Exception {
    OptionsBuilder options = new OptionsBuilder();
    options.include(TcpTlsBench.class.getName() + "\\.");
    Map<String, Double> score = new LinkedHashMap<>();
    Map<String, String> detail = new LinkedHashMap<>();
    for (RunResult r : new Runner(options.build()).run()) {
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.') + 1);
      String transport = r.getParams().getParam("transport");
      if (transport != null) name += "[" + transport + "]";
      var p = r.getPrimaryResult();
      score.put(name, p.getScore());
      detail.put(name, String.format("%.2f +- %.2f %s", p.getScore(), p.getScoreError(), p.getScoreUnit()));
    }

    double connect = score.get("connectCaptp");
    double connectRaw = score.get("connectRawTls");
    double bulk = score.get("bulkCaptp");
    double bulkRaw = score.get("bulkRawTls");
    double rtTls = score.get("roundTrip[tcp-tls]");
    double rtPlain = score.get("roundTrip[tcp-testing-only]");
    double mib = TcpTlsBench.BULK_BYTES / (1024.0 * 1024.0);

    System.out.printf("%n%-44s %16s %16s %8s %s%n", "benchmark", "value", "baseline", "ratio", "target");
    System.out.printf("%-44s %13.0f us %13.0f us %7.2fx %s%n", "connect + op:start-session + first answer",
        connect, connectRaw, connect / connectRaw,
        "<= " + CONNECT_TARGET + "x bare TLS 1.3 handshake + echo: " + (connect / connectRaw <= CONNECT_TARGET ? "met" : "NOT met"));
    System.out.printf("%-44s %11.0f MiB/s %11.0f MiB/s %7.2fx %s%n", "bulk 1 MiB ByteArrays, established session",
        bulk * mib, bulkRaw * mib, bulk / bulkRaw,
        ">= " + BULK_TARGET + "x bare TLS 1.3 socket: " + (bulk / bulkRaw >= BULK_TARGET ? "met" : "NOT met"));
    System.out.printf("%-44s %13.1f us %13.1f us %7.2fx %s%n", "CapTP round trip, tcp-tls",
        rtTls, rtPlain, rtTls / rtPlain, "(baseline: tcp-testing-only; no target)");
    System.out.printf("%nAll figures:%n");
    detail.forEach((k, v) -> System.out.printf("  %-30s %s%n", k, v));
    System.out.printf("%nconnect: us per connection, lower is better. bulk: 1 MiB messages/s as MiB/s, higher is"
        + " better. round trip: us per echo, lower is better.%n");
  }
}
