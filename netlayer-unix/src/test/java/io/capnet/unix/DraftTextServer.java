package io.capnet.unix;

import io.capnet.codec.Codec;
import io.capnet.locator.Designators;
import io.capnet.netlayer.Framers;
import io.capnet.value.Bytes;
import io.capnet.value.Record;
import io.capnet.value.Symbol;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * An introduction server that speaks only the draft (shared/ocapn-spec/Netlayer-Unix-Domain-
 * Socket.draft.md), written from its text and not from Capnet's Uds code: records built as the
 * draft lists their fields, signatures by the JDK, descriptors passed with junixsocket. It
 * forwards each introduction with a 4-byte body, as Goblins does.
 */
final class DraftTextServer implements AutoCloseable {
  final KeyPair key;
  final String designator;
  final Path path;
  private final AFUNIXServerSocketChannel listener;
  private final Map<String, AFUNIXSocketChannel> peers = new ConcurrentHashMap<>();
  private final List<AFUNIXSocketChannel> all = new CopyOnWriteArrayList<>();
  private final Thread acceptor;
  /** Tests set these to misbehave. */
  volatile boolean signWithAnotherKey;
  volatile String redirectTo; // forward every introduction to this designator instead

  DraftTextServer(Path path) throws Exception {
    this.key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    this.designator = Designators.ofEd25519(key.getPublic());
    this.path = path;
    this.listener = AFUNIXServerSocketChannel.open();
    listener.bind(AFUNIXSocketAddress.of(path));
    this.acceptor = Thread.ofPlatform().name("draft-server").daemon(true).start(() -> {
      try {
        while (true) {
          AFUNIXSocketChannel c = listener.accept();
          all.add(c);
          Thread.ofPlatform().daemon(true).start(() -> serve(c));
        }
      } catch (IOException e) {
        // closed
      }
    });
  }

  private static Symbol sym(String s) {
    return new Symbol(s);
  }

  private static List<Object> sigVal(byte[] sig) {
    return List.of(sym("sig-val"), List.of(sym("eddsa"), List.of(sym("r"), Bytes.of(sig, 0, 32)),
        List.of(sym("s"), Bytes.of(sig, 32, 32))));
  }

  private static byte[] sign(KeyPair k, byte[] data) throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(k.getPrivate());
    s.update(data);
    return s.sign();
  }

  private void serve(AFUNIXSocketChannel c) {
    Reader in = new Reader(c);
    try {
      Record reg = (Record) in.read();
      Record at = (Record) reg.field(0);
      String who = (String) at.field(1);
      byte[] theirs = ((Bytes) reg.field(1)).toByteArray();
      byte[] ours = new byte[64];
      new SecureRandom().nextBytes(ours);
      KeyPair signer = signWithAnotherKey ? KeyPairGenerator.getInstance("Ed25519").generateKeyPair() : key;
      List<Object> pubkey = List.of(sym("public-key"), List.of(sym("ecc"), List.of(sym("curve"), sym("Ed25519")),
          List.of(sym("flags"), sym("eddsa")), List.of(sym("q"), Designators.rawEd25519(key.getPublic()))));
      write(c, Codec.syrup().encode(new Record(sym("uds:server-response"), List.of(pubkey, Bytes.of(ours),
          new Record(sym("uds:signature"), List.of(Bytes.of(theirs), sigVal(sign(signer, theirs))))))));
      Record answer = (Record) in.read();
      if (answer == null || !answer.label().equals(sym("uds:signature")) || !answer.field(0).equals(Bytes.of(ours))) return;
      Signature v = Signature.getInstance("Ed25519");
      v.initVerify(Designators.ed25519PublicKey(Bytes.of(Designators.ed25519Key(who))));
      v.update(ours);
      Object sig = answer.field(1);
      byte[] raw = sig instanceof Bytes b ? b.toByteArray() : rawSig(sig);
      if (!v.verify(raw)) return;
      peers.put(who, c);
      for (Object o; (o = in.read()) != null; ) {
        Record intro = (Record) o;
        FileDescriptor fd = in.descriptorAfterRecord();
        String to = redirectTo != null ? redirectTo : (String) ((Record) intro.field(1)).field(1);
        AFUNIXSocketChannel target = peers.get(to);
        if (target != null) {
          synchronized (target) {
            write(target, Codec.syrup().encode(intro));
            target.setOutboundFileDescriptors(fd);
            write(target, new byte[] {0x39, 0x30, 0, 0});
          }
        }
        new java.io.FileInputStream(fd).close();
      }
    } catch (Exception e) {
      // this connection is over
    } finally {
      peers.values().remove(c);
      try {
        c.close();
      } catch (IOException e) {
        // closing
      }
    }
  }

  private static byte[] rawSig(Object sigVal) {
    List<?> eddsa = (List<?>) ((List<?>) sigVal).get(1);
    byte[] all = Arrays.copyOf(((Bytes) ((List<?>) eddsa.get(1)).get(1)).toByteArray(), 64);
    System.arraycopy(((Bytes) ((List<?>) eddsa.get(2)).get(1)).toByteArray(), 0, all, 32, 32);
    return all;
  }

  private static void write(AFUNIXSocketChannel c, byte[] b) throws IOException {
    synchronized (c) {
      ByteBuffer buf = ByteBuffer.wrap(b);
      while (buf.hasRemaining()) c.write(buf);
    }
  }

  /** Syrup values from a socket, and the descriptor of the SCM_RIGHTS message after a record. */
  private static final class Reader {
    private final AFUNIXSocketChannel ch;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();
    private final List<FileDescriptor> fds = new ArrayList<>();

    Reader(AFUNIXSocketChannel ch) {
      this.ch = ch;
      try {
        ch.setAncillaryReceiveBufferSize(1024);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    Object read() throws IOException {
      var framer = Framers.bareSyrup(64);
      while (true) {
        long n = in.hasRemaining() ? framer.frameLength(in.array(), in.position(), in.remaining(), 0) : -1;
        if (n > 0) {
          byte[] v = Arrays.copyOfRange(in.array(), in.position(), in.position() + (int) n);
          in.position(in.position() + (int) n);
          return Codec.syrup().decode(v);
        }
        if (fill() < 0) return null;
      }
    }

    /** The draft: the next message is SCM_RIGHTS; its body is ignored. */
    FileDescriptor descriptorAfterRecord() throws IOException {
      while (fds.isEmpty()) if (fill() < 0) throw new IOException("no descriptor");
      in.position(in.limit()); // the body, whatever it was
      return fds.remove(0);
    }

    private int fill() throws IOException {
      in.compact();
      int n;
      try {
        n = ch.read(in);
      } finally {
        in.flip();
      }
      FileDescriptor[] got = ch.getReceivedFileDescriptors();
      if (got != null) fds.addAll(Arrays.asList(got));
      return n;
    }
  }

  @Override
  public void close() throws Exception {
    listener.close();
    for (AFUNIXSocketChannel c : all) c.close();
    acceptor.join(2000);
  }
}
