package io.capnet.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.ContentReference;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORFactoryBuilder;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.OutputStream;

/**
 * The one Jackson {@link CBORFactory} of a {@link CborCodec}, configured from its {@link
 * DecodeLimits}. It is a subclass only so that it can hand out Capnet's parser and generator
 * subclasses ({@link CborTokenParser}, {@link CborTokenGenerator}), which expose the few
 * protected fields the codec needs (the token's byte offset, the raw bignum bytes) and let a
 * parser be reused for the next frame on the same thread.
 */
final class CborJacksonFactory extends CBORFactory {
  private static final long serialVersionUID = 1L;
  private static final byte[] NO_BYTES = new byte[0];

  private CborJacksonFactory(CBORFactoryBuilder builder) {
    super(builder);
  }

  /** A factory whose Jackson constraints sit just above the codec's own checks (a backstop). */
  static CborJacksonFactory create(DecodeLimits limits) {
    int strings = Math.max(limits.maxStringBytes(), limits.maxByteArrayBytes());
    StreamReadConstraints read =
        StreamReadConstraints.builder()
            // Errors carry one array level (51714) below the deepest counted container.
            .maxNestingDepth(saturatedAdd(limits.maxDepth(), 2))
            .maxDocumentLength(limits.maxValueBytes())
            // Jackson checks a bignum's byte length against this; the codec bounds it first.
            .maxNumberLength(Math.max(1000, limits.maxByteArrayBytes()))
            .maxStringLength(strings)
            .maxNameLength(limits.maxStringBytes())
            .build();
    StreamWriteConstraints write =
        StreamWriteConstraints.builder()
            .maxNestingDepth(saturatedAdd(limits.maxDepth(), 2))
            .build();
    return new CborJacksonFactory(
        CBORFactory.builder()
            .streamReadConstraints(read)
            .streamWriteConstraints(write)
            // Struct keys come from peers: an unbounded set, so no shared symbol table.
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            .enable(CBORParser.Feature.DECODE_USING_STANDARD_NEGATIVE_BIGINT_ENCODING)
            .enable(CBORGenerator.Feature.WRITE_MINIMAL_INTS)
            .disable(CBORGenerator.Feature.WRITE_MINIMAL_DOUBLES)
            .disable(CBORGenerator.Feature.WRITE_TYPE_HEADER)
            .disable(CBORGenerator.Feature.STRINGREF)
            .disable(CBORGenerator.Feature.LENIENT_UTF_ENCODING));
  }

  private static int saturatedAdd(int a, int b) {
    long s = (long) a + b;
    return s > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) s;
  }

  /** A parser with no input yet; {@link CborTokenParser#reset} gives it a frame. */
  CborTokenParser newTokenParser() {
    // An unknown content reference: the parser outlives frames and must not pin one.
    IOContext context = _createContext(ContentReference.unknown(), false);
    return new CborTokenParser(
        context,
        _parserFeatures,
        _formatParserFeatures,
        _objectCodec,
        _byteSymbolCanonicalizer.makeChildOrPlaceholder(_factoryFeatures),
        NO_BYTES);
  }

  CborTokenGenerator newTokenGenerator(OutputStream out) {
    IOContext context = _createContext(ContentReference.unknown(), false);
    return new CborTokenGenerator(
        context, _generatorFeatures, _formatGeneratorFeatures, _objectCodec, out);
  }
}
