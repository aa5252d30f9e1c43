package io.capnet.captp;

import java.util.List;

/**
 * The behaviour of a local object. A handler runs in its peer's vat, one message at a time, so it
 * needs no locks; it must not block.
 *
 * <p>The return value answers the message: a plain value, a {@link Ref}, or a {@link Promise} the
 * answer will follow. A thrown exception breaks the answer with an
 * {@link io.capnet.value.OcapnError} carrying the exception's message.
 */
@FunctionalInterface
public interface Handler {
  Object handle(List<Object> args) throws Exception;
}
