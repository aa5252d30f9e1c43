package io.capnet.locator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capnet.locator.LocatorVectorFile.Vector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The URI and record vectors of {@code spec/vectors/locators.json}, without the Syrup codec. */
class LocatorVectorTest {
  static List<Vector> valid() {
    return LocatorVectorFile.valid();
  }

  static List<Vector> invalid() {
    return LocatorVectorFile.invalid();
  }

  @Test
  void vectorFileCoversTheRequiredCases() {
    assertThat(valid()).hasSizeGreaterThanOrEqualTo(15);
    assertThat(invalid()).hasSizeGreaterThanOrEqualTo(10);
    assertThat(valid()).anyMatch(v -> v.swiss() != null).anyMatch(v -> v.swiss() == null);
    for (Vector v : invalid()) {
      assertThat(LocatorException.Reason.fromCode(v.error())).as(v.name()).isNotNull();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void parseGivesTheVectorsParts(Vector v) {
    Locator l = Locator.parse(v.uri());
    PeerLocator p = l.peer();
    assertThat(p.designator()).isEqualTo(v.designator());
    assertThat(p.transport()).isEqualTo(v.transport());
    assertThat(new ArrayList<>(p.hints().entrySet()))
        .as("hints in URI order")
        .containsExactlyElementsOf(v.hints().entrySet());
    if (v.swiss() == null) {
      assertThat(l).isInstanceOf(PeerLocator.class);
      assertThat(PeerLocator.parse(v.uri())).isEqualTo(p);
    } else {
      assertThat(l).isInstanceOf(Sturdyref.class);
      assertThat(((Sturdyref) l).swissNumber()).isEqualTo(v.swiss());
      assertThat(Sturdyref.parse(v.uri())).isEqualTo(l);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void toUriGivesTheCanonicalUriAndParsesBack(Vector v) {
    Locator l = Locator.parse(v.uri());
    assertThat(l.toUri()).isEqualTo(v.expectedUri());
    Locator again = Locator.parse(l.toUri());
    assertThat(again).isEqualTo(l);
    assertThat(again.peer().equalsWithHints(l.peer())).isTrue();
    assertThat(again.toUri()).isEqualTo(l.toUri());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void recordFormHasTheVectorsFieldsAndReadsBack(Vector v) {
    Locator l = Locator.parse(v.uri());
    var peerRecord = v.swiss() == null ? l.toRecord() : (io.capnet.value.Record) l.toRecord().field(0);
    assertThat(peerRecord.hasLabel("ocapn-peer")).isTrue();
    assertThat(peerRecord.fields())
        .containsExactly(
            io.capnet.value.Symbol.of(v.transport()),
            v.designator(),
            v.hints().isEmpty() ? Boolean.FALSE : v.hints());
    if (v.swiss() != null) {
      assertThat(l.toRecord().hasLabel("ocapn-sturdyref")).isTrue();
      assertThat(l.toRecord().field(1)).isEqualTo(v.swiss());
    }
    Locator back = Locator.fromRecord(l.toRecord());
    assertThat(back).isEqualTo(l);
    assertThat(back.peer().equalsWithHints(l.peer())).isTrue();
    assertThat(back.toRecord()).isEqualTo(l.toRecord());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidUriIsRejectedWithItsReasonCode(Vector v) {
    LocatorException e = catchThrowableOfType(LocatorException.class, () -> Locator.parse(v.uri()));
    assertThat(e).as("parsing %s", v.uri()).isNotNull();
    assertThat(e.reason().code()).isEqualTo(v.error());
    assertThat(e.getMessage()).startsWith(v.error() + ": ");
    // The same URI fails the same way through the kind-specific parsers.
    assertThatThrownBy(() -> PeerLocator.parse(v.uri()))
        .isInstanceOfSatisfying(LocatorException.class, x -> assertThat(x.reason()).isEqualTo(e.reason()));
    assertThatThrownBy(() -> Sturdyref.parse(v.uri()))
        .isInstanceOfSatisfying(LocatorException.class, x -> assertThat(x.reason()).isEqualTo(e.reason()));
  }
}
