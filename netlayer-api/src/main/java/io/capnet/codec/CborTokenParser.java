package io.capnet.codec;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import com.fasterxml.jackson.dataformat.cbor.CBORReadContext;
import java.io.IOException;

/**
 * Jackson's {@link CBORParser} over an in-memory frame, with three additions the codec needs:
 *
 * <ul>
 *   <li>{@link #tokenStart()}: the byte index where the current token starts (its first tag
 *       head, if tagged), read from the protected field without allocating a {@code
 *       JsonLocation};
 *   <li>{@link #bignumMagnitude()}: the raw bytes of a tag 2/3 bignum. Jackson 2.22.4 turns
 *       them into a {@code BigInteger} as a two's-complement number, so {@code c2 41 80}
 *       would read as -128; the codec reads the magnitude itself;
 *   <li>{@link #reset}: point the parser at the next frame. Only ever called on a parser whose
 *       previous frame decoded successfully (it is then back in its root context with no
 *       pending token); a parser that threw is discarded, never reset.
 * </ul>
 */
final class CborTokenParser extends CBORParser {
  private static final byte[] NO_BYTES = new byte[0];
  /** Re-create the root context long before its int entry counter could wrap. */
  private static final int ROOT_INDEX_LIMIT = 1 << 30;

  CborTokenParser(
      IOContext context,
      int parserFeatures,
      int formatFeatures,
      ObjectCodec codec,
      ByteQuadsCanonicalizer symbols,
      byte[] empty) {
    super(context, parserFeatures, formatFeatures, codec, symbols, null, empty, 0, 0, false);
  }

  /** Parses {@code data[start, end)}; token offsets are indices into {@code data}. */
  void reset(byte[] data, int start, int end) {
    _inputBuffer = data;
    _inputPtr = start;
    _inputEnd = end;
    _currInputProcessed = 0;
    _tokenInputTotal = start;
    _currToken = null;
    _tokenIncomplete = false;
    _binaryValue = null;
    _numTypesValid = NR_UNKNOWN;
    _tagValues.clear();
    _closed = false;
    if (!_streamReadContext.inRoot() || _streamReadContext.getCurrentIndex() > ROOT_INDEX_LIMIT) {
      _streamReadContext = CBORReadContext.createRootContext(null);
    }
  }

  /** Drops the reference to the last frame so that a pooled parser does not pin it. */
  void release() {
    _inputBuffer = NO_BYTES;
    _inputPtr = 0;
    _inputEnd = 0;
    _binaryValue = null;
    _tokenIncomplete = false;
  }

  /**
   * Ends the current byte or text string token, whose content the codec has read itself from
   * the input (after validating it), at index {@code end}. This is what {@code nextToken()}
   * would do to skip it, without the string-reference bookkeeping (a synchronized {@code
   * java.util.Stack} call per string; string references, tags 25/256, are refused by the codec).
   */
  void skipString(int end) {
    _inputPtr = end;
    _tokenIncomplete = false;
  }

  /**
   * Reads the end of the current array or map, as {@code nextToken()} does when a definite
   * container has had all its items or when an indefinite one reaches its break byte, but
   * without popping the string-reference namespace stack (a synchronized {@code
   * java.util.Stack} call per container): the codec refuses tag 256 before Jackson sees it, so
   * that stack never holds a namespace and only its depth counter is left behind.
   *
   * @return {@code END_ARRAY} or {@code END_OBJECT}, or null if the container is not at its end
   */
  JsonToken endContainer() throws IOException {
    if (_tokenIncomplete) _skipIncomplete();
    _tokenInputTotal = _currInputProcessed + _inputPtr;
    _clearRetainedValues();
    CBORReadContext context = _streamReadContext;
    if (context.inRoot()) return null;
    if (context.hasExpectedLength()) {
      if (context.expectMoreValues()) return null;
    } else {
      if (_inputPtr >= _inputEnd || _inputBuffer[_inputPtr] != (byte) 0xff) return null;
      _inputPtr++;
    }
    _tagValues.clear();
    _streamReadContext = context.getParent();
    return _updateToken(context.inArray() ? JsonToken.END_ARRAY : JsonToken.END_OBJECT);
  }

  /** Index in the input array of the first byte of the current token. */
  int tokenStart() {
    return (int) _tokenInputTotal;
  }

  /** The magnitude bytes of the bignum just read (tag 2 or 3 around a byte string). */
  byte[] bignumMagnitude() {
    return _binaryValue;
  }
}
