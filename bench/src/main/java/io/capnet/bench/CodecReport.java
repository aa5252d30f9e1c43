package io.capnet.bench;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.profile.GCProfiler;

/**
 * Runs {@link CodecBench} with the GC profiler and prints each Capnet figure as a ratio against
 * cbor-java measured in the same run. Target (issue #2): at least 2x in both ns/op and B/op.
 */
public final class CodecReport {
  private CodecReport() {}

  public static void main(String[] args) throws Exception {
    Options opts = new OptionsBuilder()
        .include(CodecBench.class.getName() + "\\.")
        .addProfiler(GCProfiler.class)
        .build();
    Collection<RunResult> results = new Runner(opts).run();
    Map<String, double[]> byName = new TreeMap<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.') + 1);
      double ns = r.getPrimaryResult().getScore();
      Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      byName.put(name, new double[] {ns, alloc == null ? Double.NaN : alloc.getScore()});
    }
    CodecBench sizes = new CodecBench();
    sizes.setUp();
    System.out.printf("%nMessage: %s%nSyrup %d bytes, CBOR %d bytes%n%n",
        io.capnet.value.Values.describe(CodecBench.message()), sizes.sizes()[0], sizes.sizes()[1]);
    System.out.printf("%-16s %10s %10s %14s %14s%n", "benchmark", "ns/op", "B/op", "vs cbor-java", "(B/op)");
    for (String op : new String[] {"Encode", "Decode"}) {
      double[] base = byName.get("cborJava" + op);
      for (String codec : new String[] {"syrup", "cbor", "cborJava"}) {
        double[] v = byName.get(codec + op);
        if (v == null || base == null) continue;
        System.out.printf("%-16s %10.1f %10.1f %13.2fx %13.2fx%n", codec + op, v[0], v[1], base[0] / v[0], base[1] / v[1]);
      }
    }
    System.out.println("\nRatios are cbor-java / Capnet: above 1 means Capnet is faster or allocates less.");
  }
}
