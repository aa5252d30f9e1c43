package io.capnet.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link CaptpRoundTripBench} and {@link SendOnlyThroughputBench} in one run and prints
 * each CapTP figure next to its raw-socket baseline from the same run. Targets: round trip at
 * most 2x the raw ping-pong; sendOnly at least 500,000 messages/s.
 *
 * <p>Each benchmark runs in its own JMH fork, one after the other, so a machine that gets busier
 * during the run skews the ratios. The baselines are therefore measured twice, before and after
 * the CapTP benchmarks: the report uses their mean and says when the two disagree.
 */
public final class CaptpReport {
  static final double ROUND_TRIP_TARGET = 2.0;
  static final double SEND_ONLY_TARGET = 500_000;
  /** Baselines before and after that differ by more than this mean the machine was not quiet. */
  static final double DRIFT_WARNING = 0.25;

  private static final String BASELINES =
      CaptpRoundTripBench.class.getName() + "\\.rawTcpPingPong$|"
          + SendOnlyThroughputBench.class.getName() + "\\.rawTcpStream$";
  private static final String CAPTP =
      CaptpRoundTripBench.class.getName() + "\\.captp|" + SendOnlyThroughputBench.class.getName() + "\\.captp";

  private CaptpReport() {}

  /** One benchmark's score, error and per-iteration scores. */
  record Figure(double score, double error, String unit, List<Double> iterations) {}

  public static void main(String[] args) throws Exception {
    Map<String, Figure> before = run(BASELINES);
    Map<String, Figure> captp = run(CAPTP);
    Map<String, Figure> after = run(BASELINES);

    double rawRt = baseline("rawTcpPingPong", before, after);
    double rawStream = baseline("rawTcpStream", before, after);
    Figure rt = captp.get("captpRoundTrip[tcp-testing-only]");
    Figure rtMemory = captp.get("captpRoundTrip[memory]");

    System.out.printf("%n%-32s %16s %16s %8s %s%n", "benchmark", "value", "baseline", "ratio", "target");
    if (rt != null) {
      double ratio = rt.score() / rawRt;
      System.out.printf("%-32s %13.1f us %13.1f us %7.2fx %s%n", "round trip, tcp-testing-only",
          rt.score(), rawRt, ratio,
          "<= " + ROUND_TRIP_TARGET + "x of raw ping-pong: " + (ratio <= ROUND_TRIP_TARGET ? "met" : "NOT met"));
    }
    if (rtMemory != null) {
      System.out.printf("%-32s %13.1f us %13.1f us %7.2fx %s%n", "round trip, in-memory",
          rtMemory.score(), rawRt, rtMemory.score() / rawRt, "(no sockets: the engine's own cost)");
    }
    for (String transport : new String[] {"tcp-testing-only", "memory"}) {
      Figure f = captp.get("captpSendOnly[" + transport + "]");
      if (f == null) continue;
      System.out.printf("%-32s %14s %14s/s %7.3fx %s%n", "sendOnly, " + transport,
          String.format("%,.0f/s", f.score()), String.format("%,.0f", rawStream), f.score() / rawStream,
          ">= 500,000 msgs/s: " + (f.score() >= SEND_ONLY_TARGET ? "met" : "NOT met"));
    }

    System.out.printf("%nPer-iteration figures (score +- 99.9%% error):%n");
    print("baseline, before", before);
    print("CapTP", captp);
    print("baseline, after", after);
    System.out.printf("%nRound trip: us per send, lower is better; ratio = CapTP / raw ping-pong of the same"
        + " payload.%nsendOnly: messages/s, higher is better; ratio = CapTP / raw stream of the same frames"
        + " (no codec).%nBaselines: the mean of a run before and a run after the CapTP benchmarks; each"
        + " benchmark runs in its own JVM fork.%n");
  }

  private static Map<String, Figure> run(String include) throws RunnerException {
    Map<String, Figure> byName = new LinkedHashMap<>();
    for (RunResult r : new Runner(new OptionsBuilder().include(include).build()).run()) {
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
    return byName;
  }

  /** The mean of the two runs of a baseline, with a warning when they disagree. */
  private static double baseline(String name, Map<String, Figure> before, Map<String, Figure> after) {
    double a = before.get(name).score();
    double b = after.get(name).score();
    double drift = Math.abs(a - b) / Math.min(a, b);
    if (drift > DRIFT_WARNING) {
      System.out.printf("%nWARNING: baseline %s was %s before and %s after the CapTP benchmarks (%.0f%% apart):"
          + " the machine was not quiet, so the ratios are unreliable; run again.%n",
          name, format(a, before.get(name).unit()), format(b, after.get(name).unit()), 100 * drift);
    }
    return (a + b) / 2;
  }

  private static void print(String title, Map<String, Figure> figures) {
    for (Map.Entry<String, Figure> e : figures.entrySet()) {
      Figure f = e.getValue();
      StringBuilder its = new StringBuilder();
      for (double v : f.iterations()) its.append(its.isEmpty() ? "" : ", ").append(format(v, f.unit()));
      System.out.printf("  %-18s %-34s %s +- %s %s: [%s]%n", title, e.getKey(), format(f.score(), f.unit()),
          format(f.error(), f.unit()), f.unit(), its);
    }
  }

  private static String format(double v, String unit) {
    return unit.startsWith("ops/") ? String.format("%,.0f", v) : String.format("%.2f", v);
  }
}
