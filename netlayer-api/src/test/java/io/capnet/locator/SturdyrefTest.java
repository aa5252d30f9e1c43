package io.capnet.locator;

import static io.capnet.locator.Reasons.reasonOf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.locator.LocatorException.Reason;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SturdyrefTest {
  private static final String CAR_FACTORY = "JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ";
  private static final PeerLocator PEER =
      PeerLocator.parse("ocapn://b32designator.tcp-testing-only?host=127.0.0.1&port=22045");

  @Test
  void parseReadsPeerSwissNumberAndHints() {
    Sturdyref s =
        Sturdyref.parse("ocapn://b32designator.tcp-testing-only/s/" + CAR_FACTORY + "?host=127.0.0.1&port=22045");
    assertThat(s.peer().equalsWithHints(PEER)).isTrue();
    assertThat(s.swissNumber()).isEqualTo(Bytes.of(CAR_FACTORY.getBytes(StandardCharsets.US_ASCII)));
    assertThat(s).isEqualTo(PEER.sturdyref(CAR_FACTORY));
  }

  @Test
  void plusInSwissNumberIsLiteralAndPrintedEscaped() {
    Sturdyref s = Sturdyref.of(PEER, CAR_FACTORY);
    assertThat(s.toUri())
        .isEqualTo("ocapn://b32designator.tcp-testing-only/s/JadQ0%2B%2BRzsD4M%2B40uLxTWVaVqM10DcBJ"
            + "?host=127.0.0.1&port=22045");
    assertThat(Sturdyref.parse(s.toUri())).isEqualTo(s);
  }

  @Test
  void nonUtf8SwissBytesArePercentEncodedBytewise() {
    Sturdyref s = PEER.withHints(java.util.Map.of()).sturdyref(Bytes.fromHex("ff0080616263"));
    assertThat(s.toUri()).isEqualTo("ocapn://b32designator.tcp-testing-only/s/%FF%00%80abc");
    assertThat(Sturdyref.parse(s.toUri()).swissNumber()).isEqualTo(Bytes.fromHex("ff0080616263"));
  }

  @Test
  void swissNumberMayBeEmptyOrHoldASlash() {
    assertThat(Sturdyref.parse("ocapn://abc.onion/s/").swissNumber()).isEqualTo(Bytes.EMPTY);
    Sturdyref slash = Sturdyref.of(PeerLocator.of("abc", "onion"), "a/b");
    assertThat(slash.toUri()).isEqualTo("ocapn://abc.onion/s/a%2Fb");
    assertThat(Sturdyref.parse(slash.toUri())).isEqualTo(slash);
    assertThat(reasonOf(() -> Sturdyref.parse("ocapn://abc.onion/s/a/b"))).isEqualTo(Reason.BAD_PATH);
  }

  @Test
  void sturdyrefParseRejectsAPeerUri() {
    assertThat(reasonOf(() -> Sturdyref.parse("ocapn://abc.onion"))).isEqualTo(Reason.WRONG_KIND);
  }

  @Test
  void equalityIgnoresHintsButNotTheSwissNumber() {
    Sturdyref a = Sturdyref.of(PEER, "x");
    Sturdyref b = Sturdyref.of(PEER.withoutHint("host"), "x");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.equalsWithHints(b)).isFalse();
    assertThat(a.equalsWithHints(Sturdyref.of(PEER, "x"))).isTrue();
    assertThat(a).isNotEqualTo(Sturdyref.of(PEER, "y"));
    assertThat((Object) a).isNotEqualTo(PEER);
  }

  @Test
  void toRecordNestsThePeerRecordAndCarriesSwissBytes() {
    Sturdyref s = Sturdyref.of(PEER, CAR_FACTORY);
    Record r = s.toRecord();
    assertThat(r.label()).isEqualTo(new Symbol("ocapn-sturdyref"));
    assertThat(r.fields()).containsExactly(PEER.toRecord(), s.swissNumber());
    assertThat(Sturdyref.fromRecord(r).equalsWithHints(s)).isTrue();
    assertThat(Locator.fromRecord(r)).isInstanceOf(Sturdyref.class);
  }

  @Test
  void toStringRedactsTheSwissNumber() {
    Sturdyref s = Sturdyref.of(PEER, CAR_FACTORY);
    assertThat(s.toString())
        .doesNotContain("JadQ0")
        .isEqualTo("ocapn://b32designator.tcp-testing-only/s/<redacted>?host=127.0.0.1&port=22045");
  }

  @Test
  void errorMessagesDoNotQuoteTheSwissNumber() {
    assertThat(catchMessage(() -> Sturdyref.parse("ocapn://abc.onion/s/secret%zz")))
        .doesNotContain("secret").contains("\"%zz\"");
    assertThat(catchMessage(() -> Sturdyref.parse("ocapn://abc.onion/s/secret here")))
        .doesNotContain("secret");
    assertThat(catchMessage(() -> Sturdyref.parse("ocapn://abc.onion/x/secret")))
        .doesNotContain("secret");
    assertThat(catchMessage(() -> Sturdyref.parse("ocapn://abc.onion/s/secret#frag")))
        .doesNotContain("secret");
  }

  @Test
  void withPeerKeepsTheSwissNumber() {
    Sturdyref s = Sturdyref.of(PEER, "x");
    PeerLocator other = PeerLocator.of("zzz", "onion");
    assertThat(s.withPeer(other).peer()).isSameAs(other);
    assertThat(s.withPeer(other).swissNumber()).isEqualTo(s.swissNumber());
    assertThatThrownBy(() -> Sturdyref.of(null, Bytes.EMPTY)).isInstanceOf(NullPointerException.class);
  }

  private static String catchMessage(Runnable r) {
    try {
      r.run();
    } catch (LocatorException e) {
      return e.getMessage();
    }
    throw new AssertionError("no LocatorException");
  }
}
