package io.capnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sd_listen_fds(3) rules as {@link SocketActivation} reads them, and NOTIFY_SOCKET's forms. */
class SocketActivationTest {
  @Test
  void noVariablesIsNoActivationAndNothingIgnored() throws Exception {
    assertThat(SocketActivation.find(Map.of(), 4242)).isEqualTo(new SocketActivation.Found(-1, null));
  }

  @Test
  void theVariablesForThisPidWithOneSocketGiveFd3() throws Exception {
    SocketActivation.Found f = SocketActivation.find(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "1"), 4242);
    assertThat(f.activated()).isTrue();
    assertThat(f.fd()).isEqualTo(3);
  }

  @Test
  void anotherPidOrNoPidIsIgnoredAndSaysWhy() throws Exception {
    assertThat(SocketActivation.find(Map.of("LISTEN_PID", "17", "LISTEN_FDS", "1"), 4242)).isEqualTo(
        new SocketActivation.Found(-1, "LISTEN_PID=17 is another process (this is pid 4242), so its sockets are not for this one"));
    assertThat(SocketActivation.find(Map.of("LISTEN_FDS", "1"), 4242)).isEqualTo(
        new SocketActivation.Found(-1, "LISTEN_FDS is set but LISTEN_PID is not, so the sockets are not for this process"));
  }

  @Test
  void countsOtherThanOneAndMalformedValuesAreRefusedNamingTheVariable() {
    assertThatThrownBy(() -> SocketActivation.find(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "3"), 4242))
        .isInstanceOf(SocketActivation.Refused.class)
        .hasMessage("LISTEN_FDS=3: the Switchboard serves exactly one listening socket (fd 3); give its socket unit one ListenStream=");
    assertThatThrownBy(() -> SocketActivation.find(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "one"), 4242))
        .hasMessage("LISTEN_FDS=one is not a count of sockets");
    assertThatThrownBy(() -> SocketActivation.find(Map.of("LISTEN_PID", "4242"), 4242))
        .hasMessage("LISTEN_PID=4242 is this process but LISTEN_FDS is not set");
    assertThatThrownBy(() -> SocketActivation.find(Map.of("LISTEN_PID", "me", "LISTEN_FDS", "1"), 4242))
        .hasMessage("LISTEN_PID=me is not a process id");
  }

  @Test
  void scrubRemovesTheThreeVariablesOnly() {
    Map<String, String> env = new HashMap<>(Map.of("LISTEN_PID", "1", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "sb",
        "NOTIFY_SOCKET", "/run/systemd/notify", "PATH", "/usr/bin"));
    SocketActivation.scrub(env);
    assertThat(env).containsOnlyKeys("NOTIFY_SOCKET", "PATH");
  }

  @Test
  void notifySocketIsAPathOrAnAbstractName() throws Exception {
    assertThat(SystemdNotify.address("@capnet/notify").isInAbstractNamespace()).isTrue();
    assertThat(SystemdNotify.address("@capnet/notify").getPathAsBytes()).isEqualTo("\0capnet/notify".getBytes());
    assertThat(SystemdNotify.address("/run/systemd/notify").getFile().getPath()).isEqualTo("/run/systemd/notify");
    assertThatThrownBy(() -> SystemdNotify.address("vsock:2:1234")).isInstanceOf(IOException.class)
        .hasMessage("NOTIFY_SOCKET=vsock:2:1234 is neither an absolute path nor @abstract-name (other forms, e.g. vsock:, are not supported)");
  }

  @Test
  void withoutNotifySocketSendingDoesNothing() throws Exception {
    SystemdNotify none = SystemdNotify.of(null);
    assertThat(none.enabled()).isFalse();
    none.send("READY=1"); // no socket, no exception
    assertThat(SystemdNotify.of("").enabled()).isFalse();
  }
}
