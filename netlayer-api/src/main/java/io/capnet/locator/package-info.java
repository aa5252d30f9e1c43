/**
 * OCapN locators: {@link io.capnet.locator.PeerLocator} (a peer) and
 * {@link io.capnet.locator.Sturdyref} (an object on a peer), in their URI form
 * ({@code ocapn://designator.transport/s/swiss?hint=value}) and record form
 * ({@code <ocapn-peer ...>}, {@code <ocapn-sturdyref ...>}). The rules are in
 * {@code spec/locators.md}; every violation is a {@link io.capnet.locator.LocatorException}
 * with a stable reason code.
 */
package io.capnet.locator;
