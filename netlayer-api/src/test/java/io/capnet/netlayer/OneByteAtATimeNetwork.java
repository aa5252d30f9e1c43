package io.capnet.netlayer;

import io.capnet.codec.DecodeLimits;

/**
 * A network inside one JVM whose connections are {@link Connections#bareSyrup} over
 * {@link BytePipe}s that move one byte per read and per write, as okio's tests do. Session
 * tests run over it so that every partial-read path under a CapTP session gets exercised. Each
 * netlayer has transport {@value #TRANSPORT} and locator {@code ocapn://<designator>.onebyte}.
 * Test code only.
 */
public final class OneByteAtATimeNetwork {
  public static final String TRANSPORT = "onebyte";
  /** Bytes one direction holds before its writer blocks. */
  static final int PIPE_CAPACITY = 16 * 1024;

  private final InMemoryNetwork network =
      new InMemoryNetwork(TRANSPORT, (client, clientCodec, server, serverCodec) -> pair(client, server));

  public OneByteAtATimeNetwork() {}

  public Netlayer netlayer(String designator) {
    return network.netlayer(designator);
  }

  /** Two connected ends; closing either lets the other read end of stream. */
  static Connection[] pair(String clientName, String serverName) {
    BytePipe toServer = new BytePipe(PIPE_CAPACITY);
    BytePipe toClient = new BytePipe(PIPE_CAPACITY);
    Connection client = Connections.bareSyrup(
        BytePipe.oneByteAtATime(toClient.input()), BytePipe.oneByteAtATime(toServer.output()),
        () -> {
          toServer.closeWriter();
          toClient.closeReader();
        },
        DecodeLimits.DEFAULT, clientName);
    Connection server = Connections.bareSyrup(
        BytePipe.oneByteAtATime(toServer.input()), BytePipe.oneByteAtATime(toClient.output()),
        () -> {
          toClient.closeWriter();
          toServer.closeReader();
        },
        DecodeLimits.DEFAULT, serverName);
    return new Connection[] {client, server};
  }
}
