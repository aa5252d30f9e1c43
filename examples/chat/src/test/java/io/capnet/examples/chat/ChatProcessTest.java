package io.capnet.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.examples.harness.Processes;
import io.capnet.examples.harness.Processes.Proc;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat example as real processes: a {@code capnet switchboard} daemon and one JVM per member. */
@Timeout(180)
class ChatProcessTest {
  Processes processes;
  Proc switchboard;

  @BeforeEach
  void setUp() {
    processes = new Processes();
    switchboard = processes.switchboard();
  }

  @AfterEach
  void tearDown() throws Exception {
    processes.close();
  }

  private Proc member(String room, String name) {
    return processes.java(Map.of(), Chat.class.getName(), processes.socket().toString(), room, name);
  }

  @Test
  void linesReachTheOtherMembersOfTheRoomWithTheSendersNameAndALeaverIsSeenLeaving() throws Exception {
    Proc alice = member("lobby", "alice");
    alice.stdout.awaitLine("* you are alice in room lobby; here: nobody");
    Proc bob = member("lobby", "bob");
    bob.stdout.awaitLine("* you are bob in room lobby; here: alice");
    alice.stdout.awaitLine("* bob joined");
    Proc carol = member("lobby", "carol");
    carol.stdout.awaitLine("* you are carol in room lobby; here: alice, bob");
    alice.stdout.awaitLine("* carol joined");
    bob.stdout.awaitLine("* carol joined");
    Proc dave = member("attic", "dave");
    dave.stdout.awaitLine("* you are dave in room attic; here: nobody");

    alice.type("hello from alice");
    bob.stdout.awaitLine("alice: hello from alice");
    carol.stdout.awaitLine("alice: hello from alice");
    carol.type("and from carol");
    alice.stdout.awaitLine("carol: and from carol");
    bob.stdout.awaitLine("carol: and from carol");

    bob.kill();
    alice.stdout.awaitLine("* bob left");
    carol.stdout.awaitLine("* bob left");
    alice.type("bye bob");
    carol.stdout.awaitLine("alice: bye bob");

    assertThat(alice.stdout.lines()).containsExactly(
        "* you are alice in room lobby; here: nobody",
        "* bob joined",
        "* carol joined",
        "carol: and from carol",
        "* bob left");
    assertThat(carol.stdout.lines()).containsExactly(
        "* you are carol in room lobby; here: alice, bob",
        "alice: hello from alice",
        "* bob left",
        "alice: bye bob");
    assertThat(dave.stdout.lines()).as("a member of another room hears nothing")
        .containsExactly("* you are dave in room attic; here: nobody");
  }

  @Test
  void aNameAlreadyTakenInTheRoomIsRefused() throws Exception {
    Proc first = member("lobby", "alice");
    first.stdout.awaitLine("* you are alice in room lobby; here: nobody");
    Proc second = member("lobby", "alice");
    assertThat(second.process.waitFor(Processes.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(second.process.exitValue()).isEqualTo(1);
    second.stderr.awaitLine("chat: the name alice is taken in room lobby");
    assertThat(first.stdout.lines()).containsExactly("* you are alice in room lobby; here: nobody");
  }

  @Test
  void membersAlreadyInARoomKeepTalkingAfterTheSwitchboardIsKilled() throws Exception {
    Proc alice = member("lobby", "alice");
    alice.stdout.awaitLine("* you are alice in room lobby; here: nobody");
    Proc bob = member("lobby", "bob");
    bob.stdout.awaitLine("* you are bob in room lobby; here: alice");
    alice.stdout.awaitLine("* bob joined");

    switchboard.kill();
    alice.type("the switchboard is gone");
    bob.stdout.awaitLine("alice: the switchboard is gone");
    bob.type("we do not need it any more");
    alice.stdout.awaitLine("bob: we do not need it any more");
  }
}
