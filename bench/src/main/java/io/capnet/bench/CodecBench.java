package io.capnet.bench;

import co.nstant.in.cbor.CborDecoder;
import co.nstant.in.cbor.CborEncoder;
import co.nstant.in.cbor.CborException;
import co.nstant.in.cbor.model.Array;
import co.nstant.in.cbor.model.DataItem;
import co.nstant.in.cbor.model.UnicodeString;
import co.nstant.in.cbor.model.UnsignedInteger;
import io.capnet.codec.Codec;
import io.capnet.codec.DecodeException;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode of one representative CapTP message,
 * {@code <op:deliver <desc:export 5> ['go "red" 42] 3 <desc:import-object 17>>}, with
 * Capnet's Syrup and CBOR codecs and, as the baseline in the same run, with cbor-java on the
 * same CBOR data items. Each side starts from its own in-memory model (our values; cbor-java's
 * DataItem tree) and ends at bytes, or the reverse.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CodecBench {
  /** The message as Capnet values. */
  public static Object message() {
    return Record.of("op:deliver",
        Record.of("desc:export", 5L),
        List.of(new Symbol("go"), "red", 42L),
        3L,
        Record.of("desc:import-object", 17L));
  }

  /** The same message as cbor-java data items, in Capnet's CBOR profile (spec/cbor.md). */
  public static DataItem oracleMessage() {
    return record(symbol("op:deliver"),
        record(symbol("desc:export"), new UnsignedInteger(5)),
        list(symbol("go"), new UnicodeString("red"), new UnsignedInteger(42)),
        new UnsignedInteger(3),
        record(symbol("desc:import-object"), new UnsignedInteger(17)));
  }

  private static DataItem symbol(String name) {
    UnicodeString s = new UnicodeString(name);
    s.setTag(280);
    return s;
  }

  private static DataItem list(DataItem... items) {
    Array a = new Array();
    for (DataItem i : items) a.add(i);
    return a;
  }

  private static DataItem record(DataItem label, DataItem... fields) {
    Array a = new Array();
    a.add(label);
    for (DataItem f : fields) a.add(f);
    a.setTag(27);
    return a;
  }

  private final Codec syrup = Codec.syrup();
  private final Codec cbor = Codec.cbor();
  private Object value;
  private DataItem oracleItem;
  private byte[] syrupBytes;
  private byte[] cborBytes;
  private byte[] oracleBytes;

  @Setup
  public void setUp() throws CborException {
    value = message();
    oracleItem = oracleMessage();
    syrupBytes = syrup.encode(value);
    cborBytes = cbor.encode(value);
    oracleBytes = cborJavaEncode();
    if (!java.util.Arrays.equals(cborBytes, oracleBytes)) {
      throw new IllegalStateException("cbor-java and Capnet disagree on the message bytes: "
          + java.util.HexFormat.of().formatHex(oracleBytes) + " vs " + java.util.HexFormat.of().formatHex(cborBytes));
    }
  }

  /** Sizes in bytes: [syrup, cbor]. */
  public int[] sizes() {
    return new int[] {syrupBytes.length, cborBytes.length};
  }

  @Benchmark
  public byte[] syrupEncode() {
    return syrup.encode(value);
  }

  @Benchmark
  public Object syrupDecode() throws DecodeException {
    return syrup.decode(syrupBytes);
  }

  @Benchmark
  public byte[] cborEncode() {
    return cbor.encode(value);
  }

  @Benchmark
  public Object cborDecode() throws DecodeException {
    return cbor.decode(cborBytes);
  }

  @Benchmark
  public byte[] cborJavaEncode() throws CborException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    new CborEncoder(out).encode(oracleItem);
    return out.toByteArray();
  }

  @Benchmark
  public List<DataItem> cborJavaDecode() throws CborException {
    return new CborDecoder(new ByteArrayInputStream(oracleBytes)).decode();
  }
}
