package io.capnet.netlayer;

import io.capnet.codec.Codec;
import io.capnet.codec.DecodeLimits;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

class InMemoryConnectionTest extends ConnectionContractTest {
  @Override
  protected Pair open(DecodeLimits limits) throws Exception {
    InMemoryNetwork net = InMemoryNetwork.create();
    Netlayer server = net.netlayer("server", Codec.syrup(limits));
    Netlayer client = net.netlayer("client", Codec.syrup(limits));
    BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
    server.accept(accepted::add);
    Connection c = client.connect(server.locator());
    Connection s = accepted.poll(10, TimeUnit.SECONDS);
    return new Pair(c, s, () -> {
      client.close();
      server.close();
    });
  }
}
