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
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code ./capnet bench unix}: the unix-transport rows, each against its baseline from the same
 * run. Each row's baselines are measured right before and right after its figure (each benchmark
 * in its own JMH fork) and the report uses their mean, warning when the two disagree.
 * Then the daemon-heap probe ({@link UnixHeapProbe}) runs with a daemon in a JVM of its own.
 *
 * <p>Arguments: {@code --no-heap} skips the heap probe; {@code --clients 1000,5000,10000} sets its
 * counts of light clients; {@code --open-clients 1000} the count of real {@code Switchboard.open}
 * clients in the cross-check (0 skips it).
 */
public final class UnixReport {
  static final double INTRO_TARGET = 2.0;
  static final double BYTES_TARGET = 0.98;
  static final double ROUND_TRIP_TARGET = 1.5;
  static final double GRPC_TARGET = 3.0;
  static final double HEAP_TARGET = 50 * 1024;
  static final double DRIFT_WARNING = 0.25;
  static final int BULK_WARMUP = 10;
  static final int BULK_ROUNDS = 40;

  private static final String INTRO = UnixIntroductionBench.class.getName();
  private static final String BULK = UnixThroughputBench.class.getName();
  private static final String RT = UnixRoundTripBench.class.getName();

  private UnixReport() {}

  record Figure(double score, double error, String unit, List<Double> iterations) {}

  public static void main(String[] args) throws Exception {
    boolean heap = true;
    int[] clients = {1_000, 5_000, 10_000};
    int openClients = 1_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--no-heap" -> heap = false;
        case "--clients" -> clients = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--open-clients" -> openClients = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (known: --no-heap, --clients N,N,..., --open-clients N)");
      }
    }

    // Each row's baselines run right before and right after its figure, so a machine that gets
    // busier during the report skews one row's ratio as little as possible.
    Map<String, Figure> before = new LinkedHashMap<>();
    Map<String, Figure> measured = new LinkedHashMap<>();
    Map<String, Figure> after = new LinkedHashMap<>();
    before.putAll(run(INTRO + "\\.raw", null));
    measured.putAll(run(INTRO + "\\.introduction$", null));
    after.putAll(run(INTRO + "\\.raw", null));
    // Bulk bytes: the sockets interleaved in one JVM (see UnixThroughputBench.interleaved), since
    // the 0.98x target needs a ratio that separate forks on a shared 2-core machine cannot give.
    Map<String, double[]> bulk = UnixThroughputBench.interleaved(BULK_WARMUP, BULK_ROUNDS);
    for (Map.Entry<String, double[]> e : bulk.entrySet()) {
      List<Double> its = new ArrayList<>();
      for (double v : e.getValue()) its.add(v);
      Figure f = new Figure(UnixThroughputBench.median(e.getValue()), Double.NaN, "ms/op (median)", its);
      (e.getKey().equals("introduced") ? measured : before).put("bulkTransfer[" + e.getKey() + "]", f);
      if (!e.getKey().equals("introduced")) after.put("bulkTransfer[" + e.getKey() + "]", f);
    }
    before.putAll(run(RT + "\\.(rawFramedPingPong|grpcUnary)$", null));
    measured.putAll(run(RT + "\\.captpRoundTrip$", null));
    // The engine alone (no sockets), to tell the session's own cost from the transport's.
    measured.putAll(run(CaptpRoundTripBench.class.getName() + "\\.captpRoundTrip$", "transport", new String[] {"memory"}));
    after.putAll(run(RT + "\\.(rawFramedPingPong|grpcUnary)$", null));

    UnixHeapProbe.Result light = null;
    UnixHeapProbe.Result open = null;
    if (heap) {
      light = UnixHeapProbe.run("light", clients);
      if (openClients > 0) open = UnixHeapProbe.run("Switchboard.open", new int[] {openClients});
    }

    List<String> warnings = new ArrayList<>();
    double jdkConnect = baseline("rawJdkConnectAccept", before, after, warnings);
    double junixConnect = baseline("rawJunixConnectAccept", before, after, warnings);
    double pairMs = baseline("bulkTransfer[unixsockets-pair]", before, after, warnings);
    double jdkPairMs = baseline("bulkTransfer[jdk-pair]", before, after, warnings);
    double rawJunix = baseline("rawFramedPingPong[junixsocket]", before, after, warnings);
    double rawJdk = baseline("rawFramedPingPong[jdk]", before, after, warnings);
    double grpc = baseline("grpcUnary", before, after, warnings);
    double intro = measured.get("introduction").score();
    double introducedMs = measured.get("bulkTransfer[introduced]").score();
    double captp = measured.get("captpRoundTrip").score();

    System.out.printf("%n%-48s %14s %-40s %8s %-8s %s%n", "figure", "value", "baseline (same run)", "ratio", "target", "");
    row("introduction latency", us(intro), "raw connect+accept, JDK " + us(jdkConnect), intro / jdkConnect,
        "<= " + INTRO_TARGET + "x", intro / jdkConnect <= INTRO_TARGET);
    row("introduction latency", us(intro), "raw connect+accept, junixsocket " + us(junixConnect),
        intro / junixConnect, "<= " + INTRO_TARGET + "x", intro / junixConnect <= INTRO_TARGET);
    double bytes = mbps(introducedMs);
    row("bytes/s over an introduced socket", mb(bytes), "UnixSockets.pair() " + mb(mbps(pairMs)),
        bytes / mbps(pairMs), ">= " + BYTES_TARGET + "x", bytes / mbps(pairMs) >= BYTES_TARGET);
    row("bytes/s over an introduced socket", mb(bytes), "JDK UNIX pair " + mb(mbps(jdkPairMs)),
        bytes / mbps(jdkPairMs), ">= " + BYTES_TARGET + "x", bytes / mbps(jdkPairMs) >= BYTES_TARGET);
    row("CapTP round trip, unix netlayer", us(captp), "raw framed ping-pong, junixsocket " + us(rawJunix),
        captp / rawJunix, "<= " + ROUND_TRIP_TARGET + "x", captp / rawJunix <= ROUND_TRIP_TARGET);
    row("CapTP round trip, unix netlayer", us(captp), "raw framed ping-pong, JDK " + us(rawJdk),
        captp / rawJdk, "(ref.)", null);
    Figure memory = measured.get("captpRoundTrip[memory]");
    if (memory != null) {
      row("CapTP round trip, in-memory netlayer", us(memory.score()), "raw framed ping-pong, junixsocket " + us(rawJunix),
          memory.score() / rawJunix, "(ref.)", null);
    }
    row("CapTP round trip: speed-up over gRPC", us(captp), "gRPC unary over UDS " + us(grpc),
        grpc / captp, ">= " + GRPC_TARGET + "x", grpc / captp >= GRPC_TARGET);
    for (UnixHeapProbe.Result r : new UnixHeapProbe.Result[] {light, open}) {
      if (r == null) continue;
      for (UnixHeapProbe.Sample s : r.samples()) {
        double per = s.perClient(r.base(), s.heap(), r.base().heap());
        row("daemon heap/idle client, " + String.format("%,d", s.clients()) + " " + r.kind(),
            String.format("%,.0f B", per), "none", Double.NaN, "<= 50 KiB", per <= HEAP_TARGET);
      }
    }
    for (String w : warnings) System.out.println(w);

    System.out.printf("%nPer-iteration figures (score +- 99.9%% error; bulk transfers: median, and every round):%n");
    print("baseline, before", before);
    print("measured", measured);
    print("baseline, after", after);
    if (light != null) {
      System.out.println();
      UnixHeapProbe.print(light);
    }
    if (open != null) UnixHeapProbe.print(open);
    System.out.printf("%nLatencies: us per operation, lower is better; ratio = figure / baseline, except for gRPC,"
        + " where ratio = gRPC / CapTP (the speed-up).%nBytes/s: %d MiB in %d KiB writes per operation, read by a"
        + " platform thread on the other end; the three sockets interleaved in one JVM, %d rounds after %d of warm-up,"
        + " median per socket; ratio = figure / baseline.%nBaselines: the mean of a run right before and a"
        + " run right after the row's figure; each benchmark runs in its own JVM fork.%nHeap: the daemon's heap in use after"
        + " full GCs, (at N - before any client) / N; direct buffers, threads and RSS are outside the heap.%n",
        UnixThroughputBench.TOTAL >> 20, UnixThroughputBench.CHUNK >> 10, BULK_ROUNDS, BULK_WARMUP);
  }

  private static Map<String, Figure> run(String include, String[] sockets) throws RunnerException {
    return run(include, "socket", sockets);
  }

  private static Map<String, Figure> run(String include, String param, String[] values) throws RunnerException {
    ChainedOptionsBuilder o = new OptionsBuilder().include(include);
    if (values != null) o = o.param(param, values);
    Map<String, Figure> byName = new LinkedHashMap<>();
    for (RunResult r : new Runner(o.build()).run()) {
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.') + 1);
      String value = r.getParams().getParam(param);
      if (value != null) name += "[" + value + "]";
      List<Double> iterations = new ArrayList<>();
      for (BenchmarkResult b : r.getBenchmarkResults()) {
        for (IterationResult i : b.getIterationResults()) iterations.add(i.getPrimaryResult().getScore());
      }
      var p = r.getPrimaryResult();
      byName.put(name, new Figure(p.getScore(), p.getScoreError(), p.getScoreUnit(), iterations));
    }
    return byName;
  }

  private static double baseline(String name, Map<String, Figure> before, Map<String, Figure> after, List<String> warnings) {
    double a = before.get(name).score();
    double b = after.get(name).score();
    double drift = Math.abs(a - b) / Math.min(a, b);
    if (drift > DRIFT_WARNING) {
      warnings.add(String.format("WARNING: baseline %s was %.2f before and %.2f after (%.0f%% apart): the machine was"
          + " not quiet; ratios against it are unreliable.", name, a, b, 100 * drift));
    }
    return (a + b) / 2;
  }

  private static void row(String figure, String value, String baseline, double ratio, String target, Boolean met) {
    System.out.printf("%-48s %14s %-40s %8s %-8s %s%n", figure, value, baseline,
        Double.isNaN(ratio) ? "-" : String.format("%.2fx", ratio), target,
        met == null ? "" : met ? "met" : "MISSED");
  }

  /** MB/s (10^6 bytes) for one transfer of TOTAL bytes taking {@code ms}. */
  private static double mbps(double ms) {
    return UnixThroughputBench.TOTAL / (ms / 1000) / 1e6;
  }

  private static String us(double v) {
    return String.format("%.1f us", v);
  }

  private static String mb(double v) {
    return String.format("%,.0f MB/s", v);
  }

  private static void print(String title, Map<String, Figure> figures) {
    for (Map.Entry<String, Figure> e : figures.entrySet()) {
      Figure f = e.getValue();
      StringBuilder its = new StringBuilder();
      for (double v : f.iterations()) its.append(its.isEmpty() ? "" : ", ").append(String.format("%.2f", v));
      String error = Double.isNaN(f.error()) ? "" : String.format(" +- %.2f", f.error());
      System.out.printf("  %-18s %-34s %.2f%s %s: [%s]%n", title, e.getKey(), f.score(), error, f.unit(), its);
    }
  }
}
