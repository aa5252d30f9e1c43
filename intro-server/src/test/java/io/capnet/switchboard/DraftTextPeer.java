package io.capnet.switchboard;

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
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A peer of the introduction protocol written from the draft's text
 * (shared/ocapn-spec/Netlayer-Unix-Domain-Socket.draft.md), not from Capnet's Uds code: it
 * builds each record as the draft lists its fields, signs with the JDK, and passes descriptors
 * with junixsocket itself. Syrup is the project's codec (its own vectors test it).
 */
public final class DraftTextPeer implements AutoCloseable {
  public final KeyPair key;
  public final String designator;
  final AFUNIXSocketChannel ch;
  private final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();
  public final List<FileDescriptor> received = new ArrayList<>();

  public DraftTextPeer(Path socket) throws IOException {
    this(socket, newKey());
  }

  DraftTextPeer(Path socket, KeyPair key) throws IOException {
    this.key = key;
    this.designator = Designators.ofEd25519(key.getPublic());
    this.ch = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(socket));
    ch.setAncillaryReceiveBufferSize(1024);
  }

  public static KeyPair newKey() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Symbol sym(String s) {
    return new Symbol(s);
  }

  /** <ocapn-peer 'unix-domain-socket designator hints>, hints false or {server: "1"}. */
  public static Record location(String designator, String server) {
    return new Record(sym("ocapn-peer"), List.of(sym("unix-domain-socket"), designator,
        server == null ? Boolean.FALSE : Map.of(server, "1")));
  }

  public Record location() {
    return location(designator, null);
  }

  public static List<Object> sigVal(byte[] sig) {
    return List.of(sym("sig-val"), List.of(sym("eddsa"), List.of(sym("r"), Bytes.of(sig, 0, 32)),
        List.of(sym("s"), Bytes.of(sig, 32, 32))));
  }

  public static byte[] sign(KeyPair k, byte[] data) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(k.getPrivate());
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public void send(Object value) throws IOException {
    sendRaw(Codec.syrup().encode(value));
  }

  public void sendRaw(byte[] b) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b);
    while (buf.hasRemaining()) ch.write(buf);
  }

  /** One sendmsg whose body is {@code body} and whose SCM_RIGHTS carries {@code fds}. */
  public void sendFds(byte[] body, FileDescriptor... fds) throws IOException {
    ch.setOutboundFileDescriptors(fds);
    sendRaw(body);
  }

  /** The next Syrup value, or null at end of stream; descriptors that came are kept in {@link #received}. */
  public Object read() throws IOException {
    var framer = Framers.bareSyrup(64);
    while (true) {
      long n = in.hasRemaining() ? framer.frameLength(in.array(), in.position(), in.remaining(), 0) : -1;
      if (n > 0) {
        byte[] v = Arrays.copyOfRange(in.array(), in.position(), in.position() + (int) n);
        in.position(in.position() + (int) n);
        return Codec.syrup().decode(v);
      }
      in.compact();
      int got;
      try {
        got = ch.read(in);
      } catch (IOException e) {
        got = -1; // reset by the daemon's close
      } finally {
        in.flip();
      }
      FileDescriptor[] fds = ch.getReceivedFileDescriptors();
      if (fds != null) received.addAll(Arrays.asList(fds));
      if (got < 0) return null;
    }
  }

  /** Skips {@code n} bytes of an SCM_RIGHTS body, reading until they are here. */
  public void skip(int n) throws IOException {
    while (in.remaining() < n) {
      in.compact();
      int got = ch.read(in);
      in.flip();
      FileDescriptor[] fds = ch.getReceivedFileDescriptors();
      if (fds != null) received.addAll(Arrays.asList(fds));
      if (got < 0) throw new IOException("end of stream");
    }
    in.position(in.position() + n);
  }

  /** Sends uds:register with a fresh 32-byte challenge; returns that challenge. */
  public byte[] register() throws IOException {
    byte[] challenge = new byte[32];
    new java.security.SecureRandom().nextBytes(challenge);
    send(new Record(sym("uds:register"), List.of(location(), Bytes.of(challenge))));
    return challenge;
  }

  /** The whole handshake as the draft tells it; returns the server's raw key. */
  public Bytes handshake() throws Exception {
    byte[] mine = register();
    Record resp = (Record) read();
    if (!resp.label().equals(sym("uds:server-response"))) throw new AssertionError("got " + resp);
    Bytes serverKey = rawKey(resp.field(0));
    Record sig = (Record) resp.field(2);
    if (!sig.label().equals(sym("uds:signature")) || !sig.field(0).equals(Bytes.of(mine))) throw new AssertionError("got " + sig);
    Signature v = Signature.getInstance("Ed25519");
    v.initVerify(Designators.ed25519PublicKey(serverKey));
    v.update(mine);
    if (!v.verify(rawSig(sig.field(1)))) throw new AssertionError("the server's signature does not verify");
    Bytes challenge = (Bytes) resp.field(1);
    send(new Record(sym("uds:signature"), List.of(challenge, sigVal(sign(key, challenge.toByteArray())))));
    return serverKey;
  }

  static Bytes rawKey(Object pubkey) {
    List<?> ecc = (List<?>) ((List<?>) pubkey).get(1);
    return (Bytes) ((List<?>) ecc.get(3)).get(1);
  }

  static byte[] rawSig(Object sigVal) {
    List<?> eddsa = (List<?>) ((List<?>) sigVal).get(1);
    byte[] r = ((Bytes) ((List<?>) eddsa.get(1)).get(1)).toByteArray();
    byte[] s = ((Bytes) ((List<?>) eddsa.get(2)).get(1)).toByteArray();
    byte[] all = Arrays.copyOf(r, 64);
    System.arraycopy(s, 0, all, 32, 32);
    return all;
  }

  @Override
  public void close() throws IOException {
    // Before the carrier: once it is closed junixsocket forgets these without closing them.
    for (FileDescriptor fd : received) new java.io.FileInputStream(fd).close();
    received.clear();
    ch.close();
  }
}
