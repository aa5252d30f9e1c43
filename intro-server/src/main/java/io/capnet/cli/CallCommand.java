package io.capnet.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.capnet.captp.BrokenException;
import io.capnet.captp.Peer;
import io.capnet.locator.LocatorException;
import io.capnet.locator.Sturdyref;
import io.capnet.value.Null;
import io.capnet.value.Values;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Enlivens a sturdyref on any of Capnet's netlayers, sends one message and prints the answer. */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    description = "Enliven the sturdyref URI, send METHOD with the ARGs and print the answer: a String as it"
        + " is, anything else in OCapN notation. Each ARG is read as a JSON value (42, true, null, \"text\","
        + " [1,2], {\"k\":1}); one that is not JSON is sent as a String. The URI's transport picks the"
        + " netlayer: tcp-tls; unix, through the Switchboard (--switchboard, or the environment of capnet run);"
        + " tcp-testing-only, only with --insecure-testing-netlayer.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:answered", "1:the call failed: unreachable peer, refused handshake or broken answer (the"
        + " message says why)", "2:usage error"})
final class CallCommand implements Callable<Integer> {
  private static final JsonFactory JSON = new JsonFactory();

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "URI",
      description = "an ocapn://<designator>.<transport>?.../s/<swiss> sturdyref")
  String uri;

  @Parameters(index = "1", paramLabel = "METHOD", description = "the method name, sent as a Symbol")
  String method;

  @Parameters(index = "2..*", paramLabel = "ARG", description = "arguments: JSON values, or Strings")
  List<String> args = new ArrayList<>();

  @Option(names = "--identity", paramLabel = "FILE",
      description = "the Ed25519 key file to call as; default: a fresh identity for this call")
  Path identity;

  @picocli.CommandLine.Mixin SwitchboardOption switchboard;

  @Option(names = "--insecure-testing-netlayer",
      description = "allow a tcp-testing-only URI: plain TCP with no authentication or encryption, for"
          + " interoperability tests only")
  boolean insecure;

  @Option(names = "--framing", defaultValue = "LENGTH_PREFIXED",
      description = "tcp-testing-only: how to frame messages: LENGTH_PREFIXED (Endo's), NETSTRING or"
          + " BARE_SYRUP (the OCapN test suite's) (default ${DEFAULT-VALUE})")
  io.capnet.netlayer.SyrupFraming framing;

  @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS",
      description = "give up after this many seconds (default ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Sturdyref ref;
    try {
      ref = Sturdyref.parse(uri);
    } catch (LocatorException e) {
      err.println("capnet call: not a sturdyref URI: " + e.getMessage());
      return Capnet.USAGE;
    }
    List<Object> values = new ArrayList<>();
    for (String a : args) values.add(argument(a));
    CliNetlayer dial;
    try {
      dial = CliNetlayer.forTransport(ref.peer().transport(), identity, switchboard, insecure, framing, err, "call");
    } catch (CliNetlayer.Usage e) {
      err.println("capnet call: " + e.getMessage());
      return Capnet.USAGE;
    } catch (IOException | io.capnet.unix.SwitchboardException | RuntimeException e) {
      err.println("capnet call: " + e.getMessage());
      return Capnet.REFUSED;
    }
    try (dial; Peer peer = Peer.builder().name("call").netlayer(dial.netlayer()).build()) {
      Object answer = peer.enliven(ref).send(method, values.toArray()).future()
          .get(timeoutSeconds, TimeUnit.SECONDS);
      out.println(answer instanceof String s ? s : Values.describe(answer));
      out.flush();
      return 0;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      err.println("capnet call: " + (cause instanceof BrokenException b ? "broken: " + b.getMessage() : cause.toString()));
      return Capnet.REFUSED;
    } catch (TimeoutException e) {
      err.println("capnet call: no answer within " + timeoutSeconds + " s");
      return Capnet.REFUSED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Capnet.REFUSED;
    }
  }

  /** An argument as a JSON value, or the text itself when it is not one JSON value. */
  static Object argument(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) return text;
      Object v = value(p, t);
      if (p.nextToken() != null) return text; // more than one value
      return v;
    } catch (IOException | RuntimeException e) {
      return text;
    }
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> {
        BigInteger b = p.getBigIntegerValue();
        yield b.bitLength() < 64 ? (Object) b.longValue() : b;
      }
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> Null.NULL;
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) list.add(value(p, n));
        yield list;
      }
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
          String key = p.currentName();
          map.put(key, value(p, p.nextToken()));
        }
        yield map;
      }
      default -> throw new IOException("unexpected JSON token " + t);
    };
  }
}
