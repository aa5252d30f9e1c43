package io.capnet.locator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.locator.LocatorException.Reason;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the record forms, as a decoder hands them over: shapes are checked field by field. */
class LocatorRecordTest {
  private static final Symbol PEER = new Symbol("ocapn-peer");
  private static final Symbol STURDYREF = new Symbol("ocapn-sturdyref");

  private static Record peer(Object... fields) {
    return new Record(PEER, List.of(fields));
  }

  private static LocatorException fails(Runnable r) {
    try {
      r.run();
    } catch (LocatorException e) {
      return e;
    }
    throw new AssertionError("no LocatorException");
  }

  private static void assertBadRecord(Object value, String messagePart) {
    LocatorException e = fails(() -> PeerLocator.fromRecord(value));
    assertThat(e.reason()).isEqualTo(Reason.BAD_RECORD);
    assertThat(e.getMessage()).contains(messagePart);
  }

  @Test
  void fromRecordReadsAWellFormedPeer() {
    PeerLocator p = PeerLocator.fromRecord(peer(new Symbol("tcp-testing-only"), "abc", Map.of("host", "h")));
    assertThat(p.designator()).isEqualTo("abc");
    assertThat(p.transport()).isEqualTo("tcp-testing-only");
    assertThat(p.hints()).containsExactly(Map.entry("host", "h"));
  }

  @Test
  void fromRecordTakesFalseAndAnEmptyStructAsNoHints() {
    assertThat(PeerLocator.fromRecord(peer(new Symbol("onion"), "abc", false)).hints()).isEmpty();
    PeerLocator empty = PeerLocator.fromRecord(peer(new Symbol("onion"), "abc", Map.of()));
    assertThat(empty.hints()).isEmpty();
    assertThat(empty.toRecord().field(2)).isEqualTo(Boolean.FALSE);
  }

  @Test
  void fromRecordKeepsTheStructsIterationOrder() {
    LinkedHashMap<Object, Object> h = new LinkedHashMap<>();
    h.put("port", "1");
    h.put("host", "h");
    PeerLocator p = PeerLocator.fromRecord(peer(new Symbol("t"), "d", h));
    assertThat(p.toUri()).isEqualTo("ocapn://d.t?port=1&host=h");
  }

  @Test
  void fromRecordRejectsNonRecordsAndWrongLabels() {
    assertBadRecord("ocapn://abc.onion", "got the String");
    assertBadRecord(null, "Java null");
    assertBadRecord(new Record("ocapn-peer", List.of(new Symbol("t"), "d", false)), "label must be the Symbol");
    assertBadRecord(Record.of("ocapn-node", new Symbol("t"), "d", false), "expected the label 'ocapn-peer");
  }

  @Test
  void fromRecordRejectsTheWrongArity() {
    assertBadRecord(peer(new Symbol("t"), "d"), "has 3 fields, got 2");
    assertBadRecord(peer(new Symbol("t"), "d", false, false), "has 3 fields, got 4");
  }

  @Test
  void fromRecordNamesTheFieldWithTheWrongType() {
    assertBadRecord(peer("t", "d", false), "transport (field 1 of <ocapn-peer>) must be a Symbol, got the String \"t\"");
    assertBadRecord(peer(new Symbol("t"), new Symbol("d"), false), "designator (field 2 of <ocapn-peer>) must be a String");
    assertBadRecord(peer(new Symbol("t"), "d", true), "hints (field 3 of <ocapn-peer>) must be a Struct or false, got the Boolean true");
    assertBadRecord(peer(new Symbol("t"), "d", List.of()), "got a List");
    assertBadRecord(peer(new Symbol("t"), "d", Map.of(new Symbol("host"), "h")), "hint name must be a String, got the Symbol 'host");
    assertBadRecord(peer(new Symbol("t"), "d", Map.of("port", 22045L)), "value of hint \"port\" must be a String");
    assertBadRecord(peer(new Symbol("t"), "d", Map.of("port", false)), "value of hint \"port\" must be a String");
  }

  @Test
  void fromRecordChecksContentLikeTheFactories() {
    assertThat(fails(() -> PeerLocator.fromRecord(peer(new Symbol("t"), "", false))).reason())
        .isEqualTo(Reason.EMPTY_DESIGNATOR);
    assertThat(fails(() -> PeerLocator.fromRecord(peer(new Symbol("a.b"), "d", false))).reason())
        .isEqualTo(Reason.BAD_TRANSPORT);
    assertThat(fails(() -> PeerLocator.fromRecord(peer(new Symbol(""), "d", false))).reason())
        .isEqualTo(Reason.MISSING_TRANSPORT);
    assertThat(fails(() -> PeerLocator.fromRecord(peer(new Symbol("t"), "d", Map.of("", "x")))).reason())
        .isEqualTo(Reason.EMPTY_HINT_NAME);
  }

  @Test
  void sturdyrefFromRecordChecksItsShape() {
    Record p = peer(new Symbol("t"), "d", false);
    Sturdyref s = Sturdyref.fromRecord(new Record(STURDYREF, List.of(p, Bytes.fromHex("00ff"))));
    assertThat(s.swissNumber()).isEqualTo(Bytes.fromHex("00ff"));

    LocatorException stringSwiss = fails(() -> Sturdyref.fromRecord(new Record(STURDYREF, List.of(p, "abc"))));
    assertThat(stringSwiss.reason()).isEqualTo(Reason.BAD_RECORD);
    assertThat(stringSwiss.getMessage()).contains("swiss number (field 2 of <ocapn-sturdyref>) must be a ByteArray, got a String");
    assertThat(stringSwiss.getMessage()).doesNotContain("abc");

    assertThat(fails(() -> Sturdyref.fromRecord(new Record(STURDYREF, List.of(p)))).getMessage())
        .contains("has 2 fields, got 1");
    assertThat(fails(() -> Sturdyref.fromRecord(new Record(STURDYREF, List.of("ocapn://d.t", Bytes.EMPTY)))).getMessage())
        .contains("peer (field 1 of <ocapn-sturdyref>) must be an <ocapn-peer ...> record");
    LocatorException inner =
        fails(() -> Sturdyref.fromRecord(new Record(STURDYREF, List.of(peer("t", "d", false), Bytes.EMPTY))));
    assertThat(inner.reason()).isEqualTo(Reason.BAD_RECORD);
    assertThat(inner.getMessage()).contains("transport (field 1 of <ocapn-peer>)");
  }

  @Test
  void wrongKindOfRecordIsReportedAsSuch() {
    Record p = peer(new Symbol("t"), "d", false);
    Record s = new Record(STURDYREF, List.of(p, Bytes.fromHex("aa")));
    assertThat(fails(() -> PeerLocator.fromRecord(s)).reason()).isEqualTo(Reason.WRONG_KIND);
    assertThat(fails(() -> Sturdyref.fromRecord(p)).reason()).isEqualTo(Reason.WRONG_KIND);
    assertThat(Locator.fromRecord(p)).isInstanceOf(PeerLocator.class);
    assertThat(Locator.fromRecord(s)).isInstanceOf(Sturdyref.class);
    assertThat(fails(() -> Locator.fromRecord(Record.of("op:deliver", 1L))).reason()).isEqualTo(Reason.BAD_RECORD);
  }

  @Test
  void messagesNeverRenderByteArraysOrNestedRecords() {
    Record secretHolder = new Record(STURDYREF, List.of(peer(new Symbol("t"), "d", false), Bytes.fromHex("5ec7e7")));
    LocatorException e = fails(() -> PeerLocator.fromRecord(peer(new Symbol("t"), "d", secretHolder)));
    assertThat(e.getMessage()).contains("a Record <ocapn-sturdyref ...> with 2 fields").doesNotContain("5ec7e7");
    assertThatThrownBy(() -> PeerLocator.fromRecord(peer(new Symbol("t"), "d", Bytes.fromHex("5ec7e7"))))
        .hasMessageContaining("a ByteArray of 3 bytes")
        .hasMessageNotContaining("5ec7e7");
  }
}
