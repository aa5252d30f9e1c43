package io.capnet.captp;

import io.capnet.value.OcapnError;
import io.capnet.value.Symbol;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Handler} that dispatches on the method symbol, the OCapN convention:
 *
 * <pre>{@code
 * Handler car = Methods.builder()
 *     .on("drive", args -> "Vroom!")
 *     .on("paint", args -> { color = (String) args.get(0); return Null.NULL; })
 *     .build();
 * }</pre>
 *
 * A message with no method symbol, or an unknown one, breaks its answer with an error naming
 * the method, unless a {@link Builder#otherwise fallback} takes it.
 */
public final class Methods implements Handler {
  /** One method's behaviour; {@code args} excludes the method symbol. */
  @FunctionalInterface
  public interface Method {
    Object apply(List<Object> args) throws Exception;
  }

  private final Map<String, Method> methods;
  private final Handler otherwise;

  private Methods(Map<String, Method> methods, Handler otherwise) {
    this.methods = Map.copyOf(methods);
    this.otherwise = otherwise;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Object handle(List<Object> args) throws Exception {
    if (!args.isEmpty() && args.get(0) instanceof Symbol s) {
      Method m = methods.get(s.name());
      if (m != null) return m.apply(args.subList(1, args.size()));
      if (otherwise != null) return otherwise.handle(args);
      throw new BrokenException(new OcapnError("no method '" + s.name() + "'; this object has "
          + methods.keySet().stream().sorted().map(n -> "'" + n).toList()));
    }
    if (otherwise != null) return otherwise.handle(args);
    throw new BrokenException(new OcapnError("a message to this object must start with a method symbol"));
  }

  public static final class Builder {
    private final Map<String, Method> methods = new LinkedHashMap<>();
    private Handler otherwise;

    private Builder() {}

    public Builder on(String method, Method behaviour) {
      Objects.requireNonNull(behaviour, "behaviour");
      if (methods.putIfAbsent(Objects.requireNonNull(method, "method"), behaviour) != null) {
        throw new IllegalArgumentException("method '" + method + "' defined twice");
      }
      return this;
    }

    /** Takes every message no method matched, with its full args. */
    public Builder otherwise(Handler handler) {
      this.otherwise = Objects.requireNonNull(handler, "handler");
      return this;
    }

    public Methods build() {
      return new Methods(methods, otherwise);
    }
  }
}
