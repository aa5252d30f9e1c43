package io.capnet.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link CaptpRoundTripBench} and {@link SendOnlyThroughputBench} in one JMH run (each
 * benchmark in its own fork, one after the other) and prints each CapTP figure next to its raw
 * socket baseline from the same run. Targets: round trip at most 2x the raw ping-pong; sendOnly
 * at least 500,000 messages/s.
 */
public final class CaptpReport {
  static final double ROUND_TRIP_TARGET = 2.0;
  static final double SEND_ONLY_TARGET = 500_000;

  private CaptpReport() {}

  /** One benchmark's score, error and per-iteration scores. */
  record Figure(double score, double error, String unit, List<Double> iterations) {}

  public static void main(String[] args) throws Exception {
    Options opts = new OptionsBuilder()
        .include(CaptpRoundTripBench.class.getName() + "\\.")
        .include(SendOnlyThroughputBench.class.getName() + "\\.")
        .build();
    Collection<RunResult> results = new Runner(opts).run();

    Map<String, Figure> byName = new LinkedHashMap<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.') + 1);
      String transport = r.getParams().getParam("transport");
      if (transport != null) name += "[" + transport + "]";
      List<Double> iterations = new ArrayList<>();
      for (BenchmarkResult b : r.getBenchmarkResults()) {
        for (IterationResult i : b.getIterationResults()) iterations.add(i.getPrimaryResult().getScore());
      }
      var primary = r.getPrimaryResult();
      byName.put(name, new Figure(primary.getScore(), primary.getScoreError(), primary.getScoreUnit(), iterations));
    }

    Figure rt = byName.get("captpRoundTrip[tcp-testing-only]");
    Figure rtMemory = byName.get("captpRoundTrip[memory]");
    Figure rawRt = byName.get("rawTcpPingPong");
    Figure rawStream = byName.get("rawTcpStream");
    System.out.printf("%n%-32s %16s %16s %8s %s%n", "benchmark", "value", "baseline", "ratio", "target");
    if (rt != null && rawRt != null) {
      double ratio = rt.score() / rawRt.score();
      System.out.printf("%-32s %13.1f us %13.1f us %7.2fx %s%n", "round trip, tcp-testing-only",
          rt.score(), rawRt.score(), ratio,
          "<= " + ROUND_TRIP_TARGET + "x of raw ping-pong: " + (ratio <= ROUND_TRIP_TARGET ? "met" : "NOT met"));
    }
    if (rtMemory != null && rawRt != null) {
      System.out.printf("%-32s %13.1f us %13.1f us %7.2fx %s%n", "round trip, in-memory",
          rtMemory.score(), rawRt.score(), rtMemory.score() / rawRt.score(), "(no sockets: the engine's own cost)");
    }
    for (String transport : new String[] {"tcp-testing-only", "memory"}) {
      Figure f = byName.get("captpSendOnly[" + transport + "]");
      if (f == null) continue;
      String base = rawStream == null ? "-" : String.format("%,.0f/s", rawStream.score());
      String ratio = rawStream == null ? "-" : String.format("%.3fx", f.score() / rawStream.score());
      System.out.printf("%-32s %14s %16s %8s %s%n", "sendOnly, " + transport,
          String.format("%,.0f/s", f.score()), base, ratio,
          ">= 500,000 msgs/s: " + (f.score() >= SEND_ONLY_TARGET ? "met" : "NOT met"));
    }

    System.out.printf("%nPer-iteration figures (score +- 99.9%% error):%n");
    for (Map.Entry<String, Figure> e : byName.entrySet()) {
      Figure f = e.getValue();
      StringBuilder its = new StringBuilder();
      for (double v : f.iterations()) its.append(its.isEmpty() ? "" : ", ").append(format(v, f.unit()));
      System.out.printf("  %-36s %s +- %s %s: [%s]%n", e.getKey(), format(f.score(), f.unit()),
          format(f.error(), f.unit()), f.unit(), its);
    }
    System.out.printf("%nRound trip: us per send, lower is better; ratio = CapTP / raw ping-pong of the same"
        + " payload.%nsendOnly: messages/s, higher is better; ratio = CapTP / raw stream of the same frames"
        + " (no codec).%nThe baselines are measured in this run; every benchmark runs in its own JVM fork.%n");
  }

  private static String format(double v, String unit) {
    return unit.startsWith("ops/s") ? String.format("%,.0f", v) : String.format("%.2f", v);
  }
}
