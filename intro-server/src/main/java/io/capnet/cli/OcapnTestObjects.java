package io.capnet.cli;

import io.capnet.captp.Deferred;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.locator.Sturdyref;
import io.capnet.value.Bytes;
import io.capnet.value.Null;
import io.capnet.value.Symbol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The standard OCapN test objects the conformance suite fetches by swiss number (see
 * {@code spec/captp.md}, "Conformance objects").
 */
final class OcapnTestObjects {
  static final String CAR_FACTORY_BUILDER = "JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ";
  static final String ECHO_GC = "IO58l1laTyhcrgDKbEzFOO32MDd6zE5w";
  static final String GREETER = "VMDDd1voKWarCe2GvgLbxbVFysNzRPzx";
  static final String PROMISE_RESOLVER = "IokCxYmMj04nos2JN1TDoY1bT8dXh6Lr";
  static final String STURDYREF_ENLIVENER = "gi02I1qghIwPiKGKleCQAOhpy3ZtYRpB";

  private OcapnTestObjects() {}

  static void install(Peer peer) {
    export(peer, CAR_FACTORY_BUILDER, peer.spawn(args -> carFactory(peer)));
    export(peer, ECHO_GC, peer.spawn(args -> List.copyOf(args)));
    export(peer, GREETER, peer.spawn(args -> {
      if (args.size() != 1 || !(args.get(0) instanceof Ref friend)) {
        throw new IllegalArgumentException("the greeter takes one reference to greet");
      }
      friend.call(List.of("Hello")); // an op:deliver whose answer nobody needs
      return Null.NULL;
    }));
    export(peer, PROMISE_RESOLVER, peer.spawn(args -> {
      Deferred d = peer.deferred();
      return List.of(d.promise(), d.resolver());
    }));
    export(peer, STURDYREF_ENLIVENER, peer.spawn(args -> {
      if (args.size() != 1) throw new IllegalArgumentException("the enlivener takes one ocapn-sturdyref");
      return peer.enliven(Sturdyref.fromRecord(args.get(0)));
    }));
  }

  private static void export(Peer peer, String swiss, Ref object) {
    peer.export(object, Bytes.of(swiss.getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * Takes one {@code [color model]} pair of symbols and answers with a car, as the suite sends;
   * or a list of such pairs, answered with a list of cars.
   */
  private static Ref carFactory(Peer peer) {
    return peer.spawn(args -> {
      if (args.size() != 1 || !(args.get(0) instanceof List<?> spec)) {
        throw new IllegalArgumentException("the car factory takes one [color model] pair, or a list of them");
      }
      if (spec.size() == 2 && spec.get(0) instanceof Symbol && spec.get(1) instanceof Symbol) {
        return car(peer, spec);
      }
      List<Object> cars = new ArrayList<>();
      for (Object pair : spec) cars.add(car(peer, pair));
      return cars;
    });
  }

  private static Ref car(Peer peer, Object spec) {
    if (!(spec instanceof List<?> pair) || pair.size() != 2
        || !(pair.get(0) instanceof Symbol color) || !(pair.get(1) instanceof Symbol model)) {
      throw new IllegalArgumentException("a car is a [color model] pair of symbols");
    }
    String noise = "Vroom! I am a " + color.name() + " " + model.name() + " car!";
    return peer.spawn(a -> noise);
  }
}
