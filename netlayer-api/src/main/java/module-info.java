/**
 * Capnet's netlayer API: OCapN values, the Syrup and CBOR codecs, and locators.
 * Only API packages are exported; implementations are package-private.
 */
module io.capnet.api {

  exports io.capnet.value;
  exports io.capnet.codec;
  exports io.capnet.locator;
  exports io.capnet.netlayer;
  exports io.capnet.captp;
}
