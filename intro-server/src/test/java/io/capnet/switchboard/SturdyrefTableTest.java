package io.capnet.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardException;
import io.capnet.unix.SwitchboardException.Code;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** maxSturdyrefsPerHandle, mint/minted/drop, the state dir's entry format and its lock. */
@Timeout(60)
class SturdyrefTableTest {
  private final SwitchboardFixture fx;

  SturdyrefTableTest() throws IOException {
    fx = new SwitchboardFixture();
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void aHandleMintsAtMostTheDefaultThousandSturdyrefs() throws Exception {
    Switchboard none = fx.client(fx.daemon()).constrain(EnumSet.noneOf(Right.class), Labels.empty(), Labels.empty());
    String first = null;
    for (int i = 0; i < 1000; i++) {
      String uri = none.sturdyref();
      if (first == null) first = uri;
    }
    SwitchboardException e = assertThrowsSwitchboard(none::sturdyref);
    assertThat(e.code()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(e.detail()).isEqualTo("this handle already made 1000 sturdyrefs (maxSturdyrefsPerHandle 1000); drop one first");
    assertThat(none.minted()).hasSize(1000);
    none.dropSturdyref(first);
    assertThat(none.sturdyref()).as("a drop makes room").startsWith("ocapn://");
  }

  @Test
  void mintCountsAgainstTheMinterAndOnlyTheMinterListsAndDrops() throws Exception {
    SwitchboardDaemon d = fx.daemon("limited", b -> b.maxSturdyrefsPerHandle(3));
    Switchboard root = fx.client(d);
    String a = root.mint(EnumSet.of(Right.LIST), Labels.empty(), Labels.of("zone", "a"));
    root.mint(EnumSet.of(Right.CLIENT_CONNECT), Labels.empty(), Labels.of("zone", "b"));
    root.sturdyref();
    SwitchboardException full = assertThrowsSwitchboard(() -> root.mint(EnumSet.of(Right.LIST), Labels.empty(), Labels.empty()));
    assertThat(full.getMessage()).isEqualTo("RESOURCE_EXHAUSTED: this handle already made 3 sturdyrefs"
        + " (maxSturdyrefsPerHandle 3); drop one first");
    List<Switchboard.Minted> minted = root.minted();
    assertThat(minted).extracting(Switchboard.Minted::rights)
        .containsExactly(EnumSet.of(Right.LIST), EnumSet.of(Right.CLIENT_CONNECT), Right.ALL);
    assertThat(minted.get(0).out()).isEqualTo(Labels.of("zone", "a"));

    try (Switchboard child = Switchboard.openSturdyref(a)) {
      assertThat(child.rights()).containsExactly(Right.LIST);
      assertThat(child.minted()).as("the child minted nothing itself").isEmpty();
      assertThat(assertThrowsSwitchboard(() -> child.dropSturdyref(a)).code())
          .as("a holder of the sturdyref cannot drop it for everyone").isEqualTo(Code.NOT_FOUND);
      assertThat(child.sturdyref()).as("the child's own budget").startsWith("ocapn://");
    }
    root.dropSturdyref(minted.get(1).id());
    assertThat(root.minted()).hasSize(2);
    SwitchboardException wider = assertThrowsSwitchboard(() -> Switchboard.openSturdyref(a).mint(Right.ALL, Labels.empty(), Labels.empty()));
    assertThat(wider.code()).isEqualTo(Code.PERMISSION_DENIED);
  }

  @Test
  void aSecondDaemonOnTheSameStateDirIsRefused() throws Exception {
    Path state = fx.dir.resolve("state");
    fx.daemon("one", b -> b.stateDir(state));
    assertThatThrownBy(() -> fx.daemon("two", b -> b.stateDir(state)))
        .isInstanceOf(IOException.class)
        .hasMessage("state dir " + state + " is in use by another Switchboard daemon");
  }

  @Test
  void sturdyrefsForOneHandleAreOneHandleAgainAfterARestart() throws Exception {
    Path state = fx.dir.resolve("state");
    SwitchboardDaemon first = SwitchboardDaemon.builder().socketPath(fx.dir.resolve("r.sock")).stateDir(state).start();
    String one;
    String two;
    try (first; Switchboard root = Switchboard.open(first.socketPath())) {
      Switchboard narrow = root.constrain(EnumSet.of(Right.LIST), Labels.empty(), Labels.of("zone", "z"));
      one = narrow.sturdyref();
      two = narrow.sturdyref();
      narrow.mint(EnumSet.noneOf(Right.class), Labels.empty(), Labels.empty());
    }
    SwitchboardDaemon second = fx.daemon("r", b -> b.stateDir(state));
    assertThat(second.locator().designator()).isEqualTo(first.locator().designator());
    try (Switchboard viaOne = Switchboard.openSturdyref(one); Switchboard viaTwo = Switchboard.openSturdyref(two)) {
      assertThat(viaOne.outLabels()).isEqualTo(Labels.of("zone", "z"));
      // Both name the handle that minted all three, so both list them.
      assertThat(viaOne.minted()).hasSize(3);
      assertThat(viaTwo.minted()).isEqualTo(viaOne.minted());
      viaTwo.dropSturdyref(one);
      assertThat(viaOne.minted()).hasSize(2);
    }
  }

  @Test
  void anEntryFileRoundTripsAndRefusesWhatItDoesNotKnow() {
    SturdyrefTable.Entry e = new SturdyrefTable.Entry("0123456789abcdef", "ab".repeat(32), "root", "root", Right.ALL,
        Labels.empty(), Labels.empty());
    String json = e.toJson();
    assertThat(json).isEqualTo("{\"version\":1,\"id\":\"0123456789abcdef\",\"hash\":\"" + "ab".repeat(32)
        + "\",\"handle\":\"root\",\"minter\":\"root\",\"rights\":[\"CLIENT_CONNECT\",\"SERVER_START\",\"INGRESS_CONNECT\","
        + "\"EGRESS_START\",\"RESOLVER_START\",\"LIST\"],\"in\":{},\"out\":{}}");
    assertThat(SturdyrefTable.Entry.fromJson(json)).isEqualTo(e);
    assertThatThrownBy(() -> SturdyrefTable.Entry.fromJson(json.replace("\"version\":1", "\"version\":2")))
        .hasMessage("version 2 is not 1");
    assertThatThrownBy(() -> SturdyrefTable.Entry.fromJson(json.replace("\"LIST\"", "\"FLY\"")))
        .hasMessageStartingWith("unknown rights [FLY]");
    assertThatThrownBy(() -> SturdyrefTable.Entry.fromJson(json.replace(",\"out\":{}", "")))
        .hasMessage("field \"out\" is missing");
    assertThatThrownBy(() -> SturdyrefTable.Entry.fromJson(json.replace("\"handle\":\"root\"", "\"handle\":\"x\"")))
        .hasMessage("handle \"x\" is not 16 hex digits or root");
    assertThatThrownBy(() -> SturdyrefTable.Entry.fromJson(json.replace("\"CLIENT_CONNECT\",", "")))
        .as("the root handle has every right").hasMessage("the root handle has every right and no labels");
  }

  private static SwitchboardException assertThrowsSwitchboard(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(SwitchboardException.class);
    return (SwitchboardException) t;
  }
}
