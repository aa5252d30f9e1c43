package io.capnet.cli;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeLimits;
import io.capnet.value.Values;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Decodes one wire value and prints it in OCapN's abstract notation. */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    description = {
        "Decode one Syrup or CBOR value and print it in OCapN's abstract notation.",
        "The codec is chosen from the first byte unless --codec says otherwise."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:decoded", "1:refused; the message names the rule and byte offset", "2:usage error"})
final class DecodeCommand implements Callable<Integer> {
  enum Kind { auto, syrup, cbor }

  @Spec CommandSpec spec;

  @Option(names = "--codec", defaultValue = "auto", description = "auto, syrup or cbor (default: ${DEFAULT-VALUE})")
  Kind codec;

  @Option(names = "--raw", description = "read raw bytes from standard input instead of hex")
  boolean raw;

  @Parameters(arity = "0..1", paramLabel = "HEX", description = "the value as hex; read from standard input when absent")
  String hex;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    byte[] data;
    try {
      data = input();
    } catch (IllegalArgumentException e) {
      err.println("capnet decode: not hex: " + e.getMessage());
      return Capnet.USAGE;
    }
    if (data.length == 0) {
      err.println("capnet decode: no input");
      return Capnet.USAGE;
    }
    try {
      Codec c = switch (codec) {
        case syrup -> Codec.syrup();
        case cbor -> Codec.cbor();
        case auto -> Codec.detect(data[0], DecodeLimits.DEFAULT);
      };
      Object v = c.decode(data);
      out.println(Values.describe(v, Integer.MAX_VALUE - 16));
      return 0;
    } catch (DecodeException e) {
      err.println("capnet decode: " + e.getMessage());
      return Capnet.REFUSED;
    }
  }

  private byte[] input() throws IOException {
    if (raw) return System.in.readAllBytes();
    String text = hex != null ? hex : new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
  }
}
