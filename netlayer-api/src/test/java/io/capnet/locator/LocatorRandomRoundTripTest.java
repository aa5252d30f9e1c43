package io.capnet.locator;

import static org.assertj.core.api.Assertions.assertThat;

import io.capnet.value.Bytes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Seeded random locators survive both forms; random text never breaks the parser. */
class LocatorRandomRoundTripTest {
  private static final long SEED = 0x0CA9_2026L;
  private static final int ROUNDS = 3000;

  /** Characters that matter to the URI syntax, plus non-ASCII and astral ones. */
  private static final String[] PIECES = {
    ".", "%", "&", "=", "/", "?", "#", " ", "+", ":", "@", "[", "]", "~", "-", "_", "!", "'", "*",
    "%41", "%zz", "\\", "\"", "\u0000", "\u007f", "\u00e9", "\u00ff", "\u0100", "\u2028", "\uffff",
    "\ud83d\ude00", "\udbff\udfff", "a", "Z", "0", "9", "s", "ocapn", "\t", "\n"
  };

  private static String randomString(Random r, int maxPieces, boolean allowDot) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(maxPieces + 1);
    for (int i = 0; i < n; i++) {
      if (r.nextInt(3) == 0) {
        sb.append((char) ('a' + r.nextInt(26)));
      } else {
        String p = PIECES[r.nextInt(PIECES.length)];
        if (!allowDot) p = p.replace(".", "");
        sb.append(p);
      }
    }
    return sb.toString();
  }

  private static String nonEmpty(Random r, boolean allowDot) {
    String s;
    do {
      s = randomString(r, 8, allowDot);
    } while (s.isEmpty());
    return s;
  }

  private static PeerLocator randomPeer(Random r) {
    Map<String, String> hints = new LinkedHashMap<>();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) hints.put(nonEmpty(r, true), randomString(r, 6, true));
    return PeerLocator.of(nonEmpty(r, true), nonEmpty(r, false), hints);
  }

  private static Bytes randomBytes(Random r) {
    byte[] b = new byte[r.nextInt(40)];
    r.nextBytes(b);
    // Sometimes ASCII only, to exercise unreserved characters printed as themselves.
    if (r.nextBoolean()) for (int i = 0; i < b.length; i++) b[i] = (byte) (0x20 + (b[i] & 0x5f));
    return Bytes.of(b);
  }

  @Test
  void randomPeerLocatorsRoundTripThroughUriAndRecord() {
    Random r = new Random(SEED);
    for (int i = 0; i < ROUNDS; i++) {
      PeerLocator p = randomPeer(r);
      String uri = p.toUri();
      assertThat(uri).as("printed URIs are plain ASCII").matches("[A-Za-z0-9._~%/?&=:-]+");
      PeerLocator back = PeerLocator.parse(uri);
      assertThat(back.equalsWithHints(p)).as(uri).isTrue();
      assertThat(new ArrayList<>(back.hints().entrySet())).isEqualTo(new ArrayList<>(p.hints().entrySet()));
      assertThat(back.toUri()).isEqualTo(uri);
      assertThat(PeerLocator.fromRecord(p.toRecord()).equalsWithHints(p)).isTrue();
    }
  }

  @Test
  void randomSturdyrefsRoundTripThroughUriAndRecord() {
    Random r = new Random(SEED + 1);
    for (int i = 0; i < ROUNDS; i++) {
      Sturdyref s = Sturdyref.of(randomPeer(r), randomBytes(r));
      String uri = s.toUri();
      Sturdyref back = Sturdyref.parse(uri);
      assertThat(back.equalsWithHints(s)).as(uri).isTrue();
      assertThat(back.swissNumber()).isEqualTo(s.swissNumber());
      assertThat(back.toUri()).isEqualTo(uri);
      assertThat(Sturdyref.fromRecord(s.toRecord()).equalsWithHints(s)).isTrue();
    }
  }

  @Test
  void randomTextEitherParsesToACanonicalLocatorOrFailsWithALocatorException() {
    Random r = new Random(SEED + 2);
    String[] prefixes = {"ocapn://", "OCAPN://", "ocapn:", "ocapn://a.b", "ocapn://a.b/s/", "ocapn://a.b?", ""};
    int parsed = 0;
    for (int i = 0; i < ROUNDS * 3; i++) {
      String text = prefixes[r.nextInt(prefixes.length)] + randomString(r, 12, true);
      Locator l;
      try {
        l = Locator.parse(text);
      } catch (LocatorException e) {
        assertThat(e.reason()).isNotNull();
        assertThat(e.getMessage()).startsWith(e.reason().code() + ": ");
        continue;
      }
      parsed++;
      Locator again = Locator.parse(l.toUri());
      assertThat(again).isEqualTo(l);
      assertThat(again.peer().equalsWithHints(l.peer())).isTrue();
      assertThat(again.toUri()).isEqualTo(l.toUri());
    }
    assertThat(parsed).as("some random texts are valid").isGreaterThan(50);
  }
}
