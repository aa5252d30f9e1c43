package io.capnet.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/**
 * The raw baselines' framing, at the floor: every read takes whatever the socket holds into one
 * large buffer, and whole frames (4-byte length, then the body) are cut out of it. Reading the
 * length and then the body in two reads is the slow mode ({@code notes/latency.md}).
 */
final class FramedEcho {
  private FramedEcho() {}

  /** Echoes every whole frame back as it arrives, in one write per read; returns at the end. */
  static void serve(ByteChannel ch, java.util.function.BooleanSupplier closing) {
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    try {
      while (true) {
        if (ch.read(buf) < 0) return;
        int end = buf.position();
        int off = 0;
        while (end - off >= 4 && end - off >= 4 + buf.getInt(off)) off += 4 + buf.getInt(off);
        if (off == 0) continue;
        ByteBuffer whole = buf.duplicate().position(0).limit(off);
        while (whole.hasRemaining()) ch.write(whole);
        buf.limit(end).position(off);
        buf.compact();
      }
    } catch (IOException e) {
      if (!closing.getAsBoolean()) throw new UncheckedIOException(e);
    }
  }

  /** Echoes whatever one read returns, unframed: the one-read echo of {@code LatencyFloor}. */
  static void serveOneRead(ByteChannel ch, java.util.function.BooleanSupplier closing) {
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
    try {
      while (true) {
        buf.clear();
        if (ch.read(buf) < 0) return;
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
      }
    } catch (IOException e) {
      if (!closing.getAsBoolean()) throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code request} (one whole frame) and reads until one whole frame is back. */
  static int pingPong(ByteChannel ch, ByteBuffer request, ByteBuffer reply) throws IOException {
    request.rewind();
    while (request.hasRemaining()) ch.write(request);
    reply.clear();
    while (reply.position() < 4 || reply.position() < 4 + reply.getInt(0)) {
      if (ch.read(reply) < 0) throw new IOException("the echo closed");
    }
    return reply.position();
  }

  /** A frame of {@code body}: its length, then the bytes. */
  static ByteBuffer frame(byte[] body) {
    ByteBuffer b = ByteBuffer.allocateDirect(4 + body.length);
    b.putInt(body.length).put(body).flip();
    return b;
  }
}
