/**
 * The OCapN value model, mapped onto plain Java types.
 *
 * <table>
 *   <caption>OCapN type to Java type</caption>
 *   <tr><th>OCapN</th><th>Java</th></tr>
 *   <tr><td>Undefined</td><td>{@link io.capnet.value.Undefined#UNDEFINED}</td></tr>
 *   <tr><td>Null</td><td>{@link io.capnet.value.Null#NULL}</td></tr>
 *   <tr><td>Boolean</td><td>{@link java.lang.Boolean}</td></tr>
 *   <tr><td>Integer</td><td>{@link java.lang.Long}, or {@link java.math.BigInteger} outside the long
 *       range (decoders always produce this normal form; encoders also take Integer, Short, Byte)</td></tr>
 *   <tr><td>Float64</td><td>{@link java.lang.Double}</td></tr>
 *   <tr><td>String</td><td>{@link java.lang.String} (well-formed Unicode only)</td></tr>
 *   <tr><td>ByteArray</td><td>{@link io.capnet.value.Bytes}</td></tr>
 *   <tr><td>Symbol</td><td>{@link io.capnet.value.Symbol}</td></tr>
 *   <tr><td>List</td><td>{@link java.util.List}</td></tr>
 *   <tr><td>Struct</td><td>{@link java.util.Map} with String keys</td></tr>
 *   <tr><td>Tagged</td><td>{@link io.capnet.value.Tagged}</td></tr>
 *   <tr><td>Target, Promise</td><td>{@link io.capnet.value.Reference}</td></tr>
 *   <tr><td>Error</td><td>{@link io.capnet.value.OcapnError}</td></tr>
 *   <tr><td>Descriptor (Capnet)</td><td>{@link io.capnet.value.Descriptor}</td></tr>
 *   <tr><td>(CapTP record)</td><td>{@link io.capnet.value.Record}</td></tr>
 * </table>
 *
 * <p>With decoded values (the normal form), Java {@code equals} is OCapN's pass-invariant
 * equality: {@code Double.equals} already treats every NaN as equal and {@code -0.0} as
 * different from {@code 0.0}. {@link io.capnet.value.Values#equal} also accepts the other
 * Java forms an encoder takes.
 */
package io.capnet.value;
