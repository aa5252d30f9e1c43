package io.capnet.codec;

import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Jackson's {@link CBORGenerator} plus the two items its 2.22.4 API cannot write as counted
 * values: Undefined ({@code 0xf7}) and a negative integer below -2^63 in its native form
 * ({@code 0x3b} + 8 bytes). {@code writeRaw} alone would not count toward a definite-length
 * array's declared size, so each first registers the value with {@code _verifyValueWrite}.
 */
final class CborTokenGenerator extends CBORGenerator {
  CborTokenGenerator(
      IOContext context, int features, int formatFeatures, ObjectCodec codec, OutputStream out) {
    super(context, features, formatFeatures, codec, out);
  }

  void writeUndefined() throws IOException {
    _verifyValueWrite("write undefined");
    writeRaw((byte) 0xf7);
  }

  /**
   * Writes major type 1 with an 8-byte argument: the integer {@code -1 - argument}, where
   * {@code argument} is read as unsigned (so it covers [-2^64, -2^63 - 1]).
   */
  void writeNegativeWithLongArgument(long argument) throws IOException {
    _verifyValueWrite("write number");
    writeRaw((byte) 0x3b);
    for (int shift = 56; shift >= 0; shift -= 8) {
      writeRaw((byte) (argument >>> shift));
    }
  }
}
