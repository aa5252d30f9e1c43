package io.capnet.locator;

import static io.capnet.locator.Reasons.reasonOf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.locator.LocatorException.Reason;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerLocatorTest {
  private static final String TCP = "ocapn://b32designator.tcp-testing-only?host=127.0.0.1&port=22045";

  @Test
  void parseReadsTcpTestingOnlyHints() {
    PeerLocator p = PeerLocator.parse(TCP);
    assertThat(p.designator()).isEqualTo("b32designator");
    assertThat(p.transport()).isEqualTo("tcp-testing-only");
    assertThat(p.hint("host")).contains("127.0.0.1");
    assertThat(p.hint("port")).contains("22045");
    assertThat(p.hint("nope")).isEmpty();
    assertThat(p.toUri()).isEqualTo(TCP);
    assertThat(p).hasToString(TCP);
  }

  @Test
  void parseSplitsDesignatorAtLastDot() {
    PeerLocator p = PeerLocator.parse("ocapn://a.b.c.onion");
    assertThat(p.designator()).isEqualTo("a.b.c");
    assertThat(p.transport()).isEqualTo("onion");
  }

  @Test
  void escapedDotStaysInTheDesignatorAndIsPrintedPlain() {
    PeerLocator p = PeerLocator.parse("ocapn://a%2Eb.onion");
    assertThat(p.designator()).isEqualTo("a.b");
    assertThat(p.toUri()).isEqualTo("ocapn://a.b.onion");
  }

  @Test
  void transportWithADotIsRejected() {
    assertThat(reasonOf(() -> PeerLocator.parse("ocapn://a.tc%2Ep"))).isEqualTo(Reason.BAD_TRANSPORT);
    assertThat(reasonOf(() -> PeerLocator.of("a", "t.p"))).isEqualTo(Reason.BAD_TRANSPORT);
  }

  @Test
  void schemeIsCaseInsensitiveOnInputAndLowercaseOnOutput() {
    assertThat(PeerLocator.parse("OcApN://abc.onion").toUri()).isEqualTo("ocapn://abc.onion");
  }

  @Test
  void designatorAndTransportKeepTheirCase() {
    PeerLocator p = PeerLocator.parse("ocapn://ABC.Onion");
    assertThat(p.designator()).isEqualTo("ABC");
    assertThat(p.transport()).isEqualTo("Onion");
    assertThat(p).isNotEqualTo(PeerLocator.parse("ocapn://abc.onion"));
  }

  @Test
  void plusInAQueryIsALiteralPlusNotASpace() {
    PeerLocator p = PeerLocator.parse("ocapn://abc.onion?k=a+b%20c");
    assertThat(p.hint("k")).contains("a+b c");
    assertThat(p.toUri()).isEqualTo("ocapn://abc.onion?k=a%2Bb%20c");
  }

  @Test
  void emptyQueryMeansNoHints() {
    PeerLocator p = PeerLocator.parse("ocapn://abc.onion?");
    assertThat(p.hints()).isEmpty();
    assertThat(p.toUri()).isEqualTo("ocapn://abc.onion");
    assertThat(p.toRecord().field(2)).isEqualTo(Boolean.FALSE);
  }

  @Test
  void emptyHintValueIsKept() {
    PeerLocator p = PeerLocator.parse("ocapn://abc.onion?relay=");
    assertThat(p.hints()).containsExactly(Map.entry("relay", ""));
    assertThat(p.toUri()).isEqualTo("ocapn://abc.onion?relay=");
  }

  @Test
  void duplicateHintNamesAreRejectedAfterDecoding() {
    LocatorException e =
        (LocatorException) catchThrowable(() -> PeerLocator.parse("ocapn://abc.onion?host=a&%68ost=b"));
    assertThat(e.reason()).isEqualTo(Reason.DUPLICATE_HINT);
    assertThat(e.getMessage()).contains("\"host\"");
  }

  @Test
  void hintOrderIsPreservedOnOutput() {
    PeerLocator p = PeerLocator.parse("ocapn://abc.onion?z=1&a=2&m=3");
    assertThat(p.hints().keySet()).containsExactly("z", "a", "m");
    assertThat(p.toUri()).isEqualTo("ocapn://abc.onion?z=1&a=2&m=3");
  }

  @Test
  void everythingOutsideUnreservedIsPercentEncodedWithUppercaseHex() {
    PeerLocator p = PeerLocator.of("d e/\u00e9", "t~_-", Map.of("k&=", "v?#%"));
    assertThat(p.toUri()).isEqualTo("ocapn://d%20e%2F%C3%A9.t~_-?k%26%3D=v%3F%23%25");
    assertThat(PeerLocator.parse(p.toUri()).equalsWithHints(p)).isTrue();
  }

  @Test
  void equalityIgnoresHintsButEqualsWithHintsDoesNot() {
    PeerLocator a = PeerLocator.parse("ocapn://abc.tcp-testing-only?host=127.0.0.1&port=1");
    PeerLocator b = PeerLocator.parse("ocapn://abc.tcp-testing-only?host=10.0.0.1");
    PeerLocator reordered = PeerLocator.parse("ocapn://abc.tcp-testing-only?port=1&host=127.0.0.1");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.equalsWithHints(b)).isFalse();
    assertThat(a.equalsWithHints(reordered)).as("hint order is not significant").isTrue();
    assertThat(a).isNotEqualTo(PeerLocator.parse("ocapn://abd.tcp-testing-only"));
    assertThat(a).isNotEqualTo(PeerLocator.parse("ocapn://abc.onion"));
  }

  @Test
  void withHintReplacesInPlaceOrAppends() {
    PeerLocator p = PeerLocator.parse("ocapn://abc.onion?a=1&b=2");
    assertThat(p.withHint("a", "9").toUri()).isEqualTo("ocapn://abc.onion?a=9&b=2");
    assertThat(p.withHint("c", "3").toUri()).isEqualTo("ocapn://abc.onion?a=1&b=2&c=3");
    assertThat(p.withoutHint("a").toUri()).isEqualTo("ocapn://abc.onion?b=2");
    assertThat(p.withoutHint("a").withoutHint("b").toRecord().field(2)).isEqualTo(Boolean.FALSE);
    assertThat(p.withHints(Map.of()).hints()).isEmpty();
    assertThat(p.toUri()).as("unchanged").isEqualTo("ocapn://abc.onion?a=1&b=2");
  }

  @Test
  void hintsAreImmutableAndCopiedFromTheCaller() {
    LinkedHashMap<String, String> h = new LinkedHashMap<>();
    h.put("host", "x");
    PeerLocator p = PeerLocator.of("abc", "tcp-testing-only", h);
    h.put("port", "1");
    assertThat(p.hints()).containsOnlyKeys("host");
    assertThatThrownBy(() -> p.hints().put("a", "b")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void factoriesRejectWhatNoUriCouldHold() {
    assertThat(reasonOf(() -> PeerLocator.of("", "onion"))).isEqualTo(Reason.EMPTY_DESIGNATOR);
    assertThat(reasonOf(() -> PeerLocator.of("abc", ""))).isEqualTo(Reason.MISSING_TRANSPORT);
    assertThat(reasonOf(() -> PeerLocator.of("abc", "onion", Map.of("", "x")))).isEqualTo(Reason.EMPTY_HINT_NAME);
    assertThat(reasonOf(() -> PeerLocator.of("a\ud800", "onion"))).isEqualTo(Reason.ILL_FORMED_STRING);
    assertThat(reasonOf(() -> PeerLocator.of("abc", "onion").withHint("k", "\udc00"))).isEqualTo(Reason.ILL_FORMED_STRING);
    assertThatThrownBy(() -> PeerLocator.of(null, "onion")).isInstanceOf(NullPointerException.class);
  }

  @Test
  void toRecordHasTransportSymbolDesignatorStringAndHintsStruct() {
    Record r = PeerLocator.parse(TCP).toRecord();
    assertThat(r.label()).isEqualTo(new Symbol("ocapn-peer"));
    assertThat(r.fields())
        .containsExactly(
            new Symbol("tcp-testing-only"),
            "b32designator",
            Map.of("host", "127.0.0.1", "port", "22045"));
    assertThat(PeerLocator.of("abc", "onion").toRecord().fields())
        .containsExactly(new Symbol("onion"), "abc", false);
  }

  @Test
  void peerParseRejectsASturdyrefUri() {
    assertThat(reasonOf(() -> PeerLocator.parse("ocapn://abc.onion/s/xyz"))).isEqualTo(Reason.WRONG_KIND);
  }

  @Test
  void rejectsUserinfoPortFragmentAndOtherPaths() {
    assertThat(reasonOf(() -> PeerLocator.parse("ocapn://u@abc.onion"))).isEqualTo(Reason.USERINFO_OR_PORT);
    assertThat(reasonOf(() -> PeerLocator.parse("ocapn://abc.onion:9045"))).isEqualTo(Reason.USERINFO_OR_PORT);
    assertThat(reasonOf(() -> PeerLocator.parse("ocapn://abc.onion#x"))).isEqualTo(Reason.FRAGMENT);
    assertThat(reasonOf(() -> PeerLocator.parse("ocapn://abc.onion/"))).isEqualTo(Reason.BAD_PATH);
    assertThat(reasonOf(() -> PeerLocator.parse("ocapn://abc.onion/p"))).isEqualTo(Reason.BAD_PATH);
    assertThat(reasonOf(() -> PeerLocator.parse(" ocapn://abc.onion"))).isEqualTo(Reason.NOT_OCAPN_SCHEME);
    assertThat(reasonOf(() -> PeerLocator.parse("ocapn://abc.onion "))).isEqualTo(Reason.INVALID_CHARACTER);
  }

  @Test
  void messagesQuoteTheOffendingPart() {
    assertThat(catchThrowable(() -> PeerLocator.parse("https://abc.onion")))
        .hasMessage("not-ocapn-scheme: scheme \"https\" is not \"ocapn\"");
    assertThat(catchThrowable(() -> PeerLocator.parse("ocapn://abc.onion?h=%g1")))
        .hasMessageContaining("\"%g1\"");
    assertThat(catchThrowable(() -> PeerLocator.parse("ocapn://abc.onion?h=%C3%28")))
        .hasMessageContaining("\"%C3%28\"");
    assertThat(catchThrowable(() -> PeerLocator.parse("ocapn://abc.onion?a=1&host")))
        .hasMessageContaining("\"host\"");
    assertThat(catchThrowable(() -> PeerLocator.parse("ocapn://abc.onion?h=\u00e9")))
        .hasMessageContaining("U+00E9");
  }

  @Test
  void locatorExceptionIsAnIllegalArgumentExceptionWithStableCodes() {
    assertThat(new LocatorException(Reason.BAD_PATH, "x")).isInstanceOf(IllegalArgumentException.class);
    for (Reason r : Reason.values()) {
      assertThat(r.code()).matches("[a-z0-9]+(-[a-z0-9]+)*");
      assertThat(Reason.fromCode(r.code())).isSameAs(r);
    }
    assertThat(Reason.fromCode("no-such-code")).isNull();
  }

  @Test
  void locatorParseReturnsAPeerForAPeerUri() {
    assertThat(Locator.parse(TCP)).isInstanceOf(PeerLocator.class);
    Locator l = Locator.parse(TCP);
    assertThat(l.peer()).isSameAs(l);
    assertThat(List.of(Locator.parse(TCP))).containsExactly(PeerLocator.parse(TCP));
  }

  private static Throwable catchThrowable(Runnable r) {
    try {
      r.run();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("nothing thrown");
  }
}
