package io.capnet.captp;

import io.capnet.value.OcapnError;
import io.capnet.value.Symbol;
import java.util.List;

/**
 * The resolver half of a promise, as CapTP exports it: {@code 'fulfill v} settles the promise
 * with {@code v} and {@code 'break e} breaks it with {@code e}. Later messages are ignored, as
 * a settled promise cannot change.
 */
final class ResolverHandler implements Handler {
  private final LocalPromise promise;

  ResolverHandler(LocalPromise promise) {
    this.promise = promise;
  }

  @Override
  public Object handle(List<Object> args) {
    if (args.size() == 2 && args.get(0) instanceof Symbol m) {
      switch (m.name()) {
        case "fulfill" -> {
          promise.resolve(args.get(1));
          return io.capnet.value.Null.NULL;
        }
        case "break" -> {
          promise.breakWith(args.get(1));
          return io.capnet.value.Null.NULL;
        }
        default -> { }
      }
    }
    throw new BrokenException(new OcapnError("a resolver takes ['fulfill value] or ['break reason]"));
  }
}
