package io.capnet.netlayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeException;
import io.capnet.codec.DecodeException.Rule;
import io.capnet.codec.DecodeLimits;
import io.capnet.value.Bytes;
import io.capnet.value.Values;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Framing details that need hand-made byte streams. */
@Timeout(10)
class StreamConnectionTest {
  private static final Codec SYRUP = Codec.syrup(DecodeLimits.DEFAULT.withMaxValueBytes(1000));

  private static Connection framed(String hex) {
    return framed(HexFormat.of().parseHex(hex));
  }

  private static Connection framed(byte[] bytes) {
    return Connections.lengthPrefixed(new ByteArrayInputStream(bytes), new ByteArrayOutputStream(), () -> {}, SYRUP, "test");
  }

  private static DecodeException failure(Connection c) {
    try {
      Object v = c.receive();
      throw new AssertionError("received " + v);
    } catch (DecodeException e) {
      return e;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void lengthPrefixedFramesAreABigEndianLengthThenTheMessage() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    Connection c = Connections.lengthPrefixed(InputStream.nullInputStream(), wire, () -> {}, SYRUP, "test");
    c.send(SYRUP.encode("hi"), List.of());
    assertThat(wire.size()).as("buffered until flush").isZero();
    c.flush();
    assertThat(HexFormat.of().formatHex(wire.toByteArray())).isEqualTo("00000004" + "32226869");
    Connection back = framed(wire.toByteArray());
    assertThat(back.receive()).isEqualTo("hi");
    assertThat(back.receive()).isNull();
  }

  @Test
  void aDeclaredLengthOverTheLimitIsRefusedBeforeReadingTheBody() {
    DecodeException e = failure(framed("32226869" + "ffffffff"));
    // The first frame claims 0x32226869 bytes; nothing that large is ever allocated.
    assertThat(e.rule()).isEqualTo(Rule.VALUE_TOO_LARGE);
    assertThat(e.offset()).isZero();
    assertThat(e.getMessage()).contains(Long.toString(0x32226869L)).contains("1000");
    DecodeException max = failure(framed("ffffffff"));
    assertThat(max.getMessage()).contains("4294967295").contains("1000");
  }

  @Test
  void theLimitItselfIsAllowed() throws Exception {
    // Written by hand: a 1000-byte frame (0x03e8) holding the Syrup bytestring "996:" and then
    // 996 zero bytes, exactly the limit.
    byte[] frame = new byte[4 + 1000];
    frame[2] = 0x03;
    frame[3] = (byte) 0xe8;
    frame[4] = '9';
    frame[5] = '9';
    frame[6] = '6';
    frame[7] = ':';
    Connection c = framed(frame);
    assertThat(Values.equal(c.receive(), Bytes.of(new byte[996]))).isTrue();
    assertThat(c.receive()).as("the end of the stream after it").isNull();
  }

  @Test
  void aZeroLengthFrameIsMalformed() {
    DecodeException e = failure(framed("00000000"));
    assertThat(e.rule()).isEqualTo(Rule.MALFORMED_VALUE);
  }

  @Test
  void endOfStreamInsideTheHeaderIsTruncated() throws Exception {
    Connection c = framed("00000004" + "32226869" + "0000");
    assertThat(c.receive()).isEqualTo("hi");
    DecodeException e = failure(c);
    assertThat(e.rule()).isEqualTo(Rule.TRUNCATED);
    assertThat(e.offset()).isEqualTo(8);
  }

  @Test
  void endOfStreamInsideTheBodyIsTruncated() {
    DecodeException e = failure(framed("00000004" + "3222"));
    assertThat(e.rule()).isEqualTo(Rule.TRUNCATED);
    assertThat(e.getMessage()).contains("2 of the 4 bytes");
  }

  @Test
  void aConnectionIsUnusableAfterAReceiveError() {
    Connection c = framed("00000000" + "00000004" + "32226869");
    failure(c);
    assertThatThrownBy(c::receive).isInstanceOf(IOException.class).isNotInstanceOf(DecodeException.class);
  }

  @Test
  void lengthPrefixedCarriesAnyCodec() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    Connection cbor = Connections.lengthPrefixed(InputStream.nullInputStream(), wire, () -> {}, Codec.cbor(), "cbor");
    cbor.send(Codec.cbor().encode(ConnectionContractTest.DELIVER), List.of());
    cbor.flush();
    Object back = Connections.lengthPrefixed(new ByteArrayInputStream(wire.toByteArray()),
        java.io.OutputStream.nullOutputStream(), () -> {}, Codec.cbor(), "cbor").receive();
    assertThat(Values.equal(back, ConnectionContractTest.DELIVER)).isTrue();
  }

  @Test
  void closeClosesTheResourceOnce() throws Exception {
    AtomicInteger closes = new AtomicInteger();
    Connection c = Connections.bareSyrup(InputStream.nullInputStream(), new ByteArrayOutputStream(),
        closes::incrementAndGet, DecodeLimits.DEFAULT, "test");
    c.close();
    c.close();
    assertThat(closes).hasValue(1);
    assertThat(c.supports(NetlayerCapability.DESCRIPTORS)).isFalse();
    assertThat(c.description()).isEqualTo("test");
  }

}
