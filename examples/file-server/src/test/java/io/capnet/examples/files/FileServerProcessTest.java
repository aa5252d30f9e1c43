package io.capnet.examples.files;

import static io.capnet.examples.harness.Processes.eventually;
import static io.capnet.examples.harness.Processes.fdCount;
import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.examples.harness.Processes;
import io.capnet.examples.harness.Processes.Proc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fd-handoff file server as real processes: a {@code capnet switchboard} daemon, the server,
 * and each client in a JVM of its own.
 */
@Timeout(180)
class FileServerProcessTest {
  Processes processes;
  Path shelf;
  Path secret;
  Proc server;

  @BeforeEach
  void setUp() throws Exception {
    processes = new Processes();
    processes.switchboard();
    // The served directory, which no client is ever told of, and a file beside it.
    shelf = Files.createDirectory(processes.dir.resolve("shelf"));
    Files.writeString(shelf.resolve("notes.txt"), "these are the notes\n");
    Files.createDirectory(shelf.resolve("sub"));
    Files.writeString(shelf.resolve("sub/deep.txt"), "from a subdirectory\n");
    secret = Files.writeString(processes.dir.resolve("secret.txt"), "not for clients\n");
    Files.createSymbolicLink(shelf.resolve("escape.txt"), Path.of("../secret.txt"));
    server = processes.java(Map.of(), Main.class.getName(), "server", processes.socket().toString(), shelf.toString());
  }

  @AfterEach
  void tearDown() throws Exception {
    processes.close();
  }

  /** Grants {@code name} access and starts a client holding that capability, and nothing else. */
  private Proc client(String name) {
    return processes.java(Map.of("FILES_CAP", grant(name)), Main.class.getName(), "client", processes.socket().toString());
  }

  private String grant(String name) {
    server.type("grant " + name);
    return server.stdout.awaitLine(l -> l.startsWith(name + " ocapn://"), "the grant for " + name)
        .substring(name.length() + 1);
  }

  @Test
  void aClientReadsFilesByNamesRelativeToADirectoryItIsNeverTold() throws Exception {
    String capability = grant("alice");
    Proc alice = processes.java(Map.of("FILES_CAP", capability), Main.class.getName(), "client", processes.socket().toString());
    alice.type("open-read notes.txt");
    alice.stdout.awaitLine("these are the notes");
    alice.type("open-read sub/deep.txt");
    alice.stdout.awaitLine("from a subdirectory");

    assertThat(capability).startsWith("ocapn://").doesNotContain(shelf.toString());
    String cmdline = Files.readString(Path.of("/proc/" + alice.pid() + "/cmdline")).replace('\0', ' ');
    String environ = Files.readString(Path.of("/proc/" + alice.pid() + "/environ")).replace('\0', ' ');
    assertThat(cmdline).doesNotContain(shelf.toString());
    assertThat(environ).doesNotContain(shelf.toString());
  }

  @Test
  void namesThatLeaveTheDirectoryAreRefusedAndSoIsEveryMethodButOpenRead() throws Exception {
    Proc alice = client("alice");
    alice.type("open-read ../secret.txt");
    alice.stdout.awaitLine("refused: ../secret.txt: names may not contain ..");
    alice.type("open-read sub/../../secret.txt");
    alice.stdout.awaitLine("refused: sub/../../secret.txt: names may not contain ..");
    alice.type("open-read " + secret);
    alice.stdout.awaitLine("refused: " + secret + ": absolute names are refused");
    alice.type("open-read escape.txt");
    alice.stdout.awaitLine("refused: escape.txt: leads out of the served directory");
    alice.type("open-read missing.txt");
    alice.stdout.awaitLine("refused: missing.txt: no such file");
    alice.type("open-read sub");
    alice.stdout.awaitLine("refused: sub: not a file");
    alice.type("open-write notes.txt");
    alice.stdout.awaitLine("refused: 'open-write is not allowed through this facet; allowed: ['open-read]");
    alice.type("list");
    alice.stdout.awaitLine("refused: 'list is not allowed through this facet; allowed: ['open-read]");
    alice.type("open-read notes.txt");
    alice.stdout.awaitLine("these are the notes");

    assertThat(alice.stdout.text()).doesNotContain("not for clients").doesNotContain(shelf.toString());
    assertThat(Files.readString(shelf.resolve("notes.txt"))).isEqualTo("these are the notes\n");
  }

  @Test
  void aRevokedClientIsCutOffWithTheReasonWhileAnotherKeepsReading() throws Exception {
    String alicesCapability = grant("alice");
    Proc alice = processes.java(Map.of("FILES_CAP", alicesCapability), Main.class.getName(), "client", processes.socket().toString());
    Proc bob = client("bob");
    alice.type("open-read notes.txt");
    alice.stdout.awaitLine("these are the notes");

    server.type("revoke alice");
    server.stdout.awaitLine("revoked alice");
    alice.stdout.awaitLine("* lost access: revoked: by the file server's operator");
    alice.type("open-read notes.txt");
    alice.stdout.awaitLine("refused: revoked: by the file server's operator");
    bob.type("open-read notes.txt");
    bob.stdout.awaitLine("these are the notes");
    assertThat(bob.stdout.lines()).doesNotContain("* lost access: revoked: by the file server's operator");

    // The revoked sturdyref reaches nothing any more, not even from a fresh process.
    Proc again = processes.java(Map.of("FILES_CAP", alicesCapability), Main.class.getName(), "client", processes.socket().toString());
    assertThat(again.process.waitFor(Processes.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(again.process.exitValue()).isEqualTo(1);
    again.stderr.awaitLine(l -> l.startsWith("file-client: cannot reach the file server's object: "), "the refusal");
  }

  @Test
  void manyOpensLeaveNoDescriptorOpenInTheServerOrTheClient() throws Exception {
    Proc alice = client("alice");
    opens(alice, 20, 20); // warm up: sessions, selectors and class loading open fds of their own once
    int serverBaseline = fdCount(server.pid());
    int clientBaseline = fdCount(alice.pid());
    opens(alice, 500, 520);
    assertThat(eventually(Duration.ofSeconds(10), () -> fdCount(server.pid()) <= serverBaseline))
        .as("server fds back to %d, now %d", serverBaseline, fdCount(server.pid())).isTrue();
    assertThat(eventually(Duration.ofSeconds(10), () -> fdCount(alice.pid()) <= clientBaseline))
        .as("client fds back to %d, now %d", clientBaseline, fdCount(alice.pid())).isTrue();
  }

  private static void opens(Proc client, int count, int total) throws Exception {
    // One write for all the requests: the client still sends them one at a time.
    client.process.getOutputStream().write("open-read notes.txt\n".repeat(count).getBytes(StandardCharsets.UTF_8));
    client.process.getOutputStream().flush();
    client.stdout.awaitLines("these are the notes", total);
  }
}
