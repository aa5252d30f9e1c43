package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capnet.tcptls.TlsIdentity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class IdentityCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir Path dir;

  private int run(String... args) {
    return Capnet.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void identityNewWritesAMode0600KeyThatShowPrintsTheDesignatorOf() throws Exception {
    Path file = dir.resolve("me.key");
    assertThat(run("identity", "new", file.toString())).isZero();
    String designator = out.toString().strip();
    assertThat(designator).matches("[a-z2-7]{52}");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(TlsIdentity.load(file).designator()).isEqualTo(designator);
    out.getBuffer().setLength(0);
    assertThat(run("identity", "show", file.toString())).isZero();
    assertThat(out.toString()).isEqualTo(designator + System.lineSeparator());
  }

  @Test
  void identityNewRefusesToOverwrite() throws Exception {
    Path file = dir.resolve("me.key");
    Files.writeString(file, "precious");
    assertThat(run("identity", "new", file.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("already exists");
    assertThat(Files.readString(file)).isEqualTo("precious");
  }

  @Test
  void identityShowOfANonKeyExitsOneNamingTheFile() throws Exception {
    Path file = dir.resolve("not-a-key");
    Files.writeString(file, "hello");
    assertThat(run("identity", "show", file.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("capnet identity show:").contains(file.toString()).contains("PKCS#8 PEM");
  }

  @Test
  void opensslReadsTheKeyFile() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    Path file = dir.resolve("me.key");
    assertThat(run("identity", "new", file.toString())).isZero();
    Process p = new ProcessBuilder("openssl", "pkey", "-in", file.toString(), "-noout", "-text")
        .redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("openssl pkey: %s", text).isZero();
    assertThat(text).contains("ED25519 Private-Key");
  }

  @Test
  void callArgumentsAreJsonValuesOrElseStrings() {
    assertThat(CallCommand.argument("42")).isEqualTo(42L);
    assertThat(CallCommand.argument("\"42\"")).isEqualTo("42");
    assertThat(CallCommand.argument("World")).isEqualTo("World");
    assertThat(CallCommand.argument("[1, true, null]")).isEqualTo(java.util.List.of(1L, true, io.capnet.value.Null.NULL));
    assertThat(CallCommand.argument("1 2")).isEqualTo("1 2");
    assertThat(CallCommand.argument("{\"k\": 2.5}")).isEqualTo(java.util.Map.of("k", 2.5));
  }
}
