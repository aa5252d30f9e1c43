package io.capnet.netlayer;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capnet.codec.DecodeException;
import io.capnet.codec.Vectors;
import io.capnet.value.Record;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** spec/vectors/framing.json, sent by a raw socket to a listening tcp-testing-only netlayer. */
@Timeout(30)
class SyrupFramingVectorTest {
  static Stream<JsonNode> vectors() throws Exception {
    JsonNode root = new ObjectMapper().readTree(Vectors.specDir().resolve("vectors/framing.json").toFile());
    List<JsonNode> all = new ArrayList<>();
    root.get("vectors").forEach(all::add);
    return all.stream();
  }

  private static Object expected(String text) {
    return text.startsWith("<record ") ? Record.of(text.substring(8, text.length() - 1)) : text;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void theListenerCutsAndAnswersAsTheVectorSays(JsonNode v) throws Exception {
    try (Netlayer listener = Netlayers.tcpTestingOnly("127.0.0.1", 0)) {
      BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
      listener.accept(accepted::add);
      try (Socket raw = new Socket(InetAddress.getLoopbackAddress(),
              Integer.parseInt(listener.locator().hint("port").orElseThrow()));
          Connection server = accepted.poll(10, TimeUnit.SECONDS)) {
        raw.setSoTimeout(10_000);
        raw.getOutputStream().write(v.get("sent").asText().getBytes(ISO_8859_1));
        raw.shutdownOutput();
        if (v.has("messages")) {
          for (JsonNode m : v.get("messages")) assertThat(server.receive()).isEqualTo(expected(m.asText()));
        }
        if (v.has("error")) {
          Throwable t = catchThrowable(server::receive);
          assertThat(t).as(v.get("name").asText()).isInstanceOf(DecodeException.class);
          DecodeException e = (DecodeException) t;
          assertThat(e.rule().code()).isEqualTo(v.get("error").asText());
          assertThat(e.offset()).isEqualTo(v.get("offset").asLong());
          return;
        }
        assertThat(server.receive()).as("a clean end").isNull();
        ConnectionContractTest.send(server, "ok");
        String answer = switch (v.get("answers").asText()) {
          case "BARE_SYRUP" -> "2\"ok";
          case "LENGTH_PREFIXED" -> "4:2\"ok";
          case "NETSTRING" -> "4:2\"ok,";
          default -> throw new AssertionError(v);
        };
        assertThat(new String(raw.getInputStream().readNBytes(answer.length()), ISO_8859_1)).isEqualTo(answer);
      }
    }
  }
}
