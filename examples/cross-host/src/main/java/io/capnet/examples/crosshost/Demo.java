package io.capnet.examples.crosshost;

import io.capnet.examples.harness.Processes.Proc;

/** The whole example in one run, as root: two hosts, B's greeter reached from A by labels. */
final class Demo {
  private Demo() {}

  static void main(String[] args) throws Exception {
    TwoHosts hosts;
    try {
      hosts = TwoHosts.make();
    } catch (TwoHosts.CannotMakeHosts e) {
      System.err.println("cross-host: " + e.getMessage() + " (run it as root: sudo ./capnet example cross-host)");
      System.exit(2);
      return;
    }
    try (hosts) {
      System.out.println("host A: network namespace " + hosts.nsA + ", " + TwoHosts.ADDRESS_A);
      System.out.println("host B: network namespace " + hosts.nsB + ", " + TwoHosts.ADDRESS_B);
      hosts.federate();
      // The endpoint's sturdyref is the authority to connect through B: it goes to A's link, not the screen.
      System.out.println("B's Switchboard served over tcp-tls on " + TwoHosts.ADDRESS_B + ", B's key " + hosts.designatorB);
      System.out.println("A's Switchboard links to it as {\"host\":\"b\"}");
      Proc greeter = hosts.onB("server", hosts.socketB().toString());
      greeter.stdout.awaitLine(l -> l.startsWith("serving "), "the greeter's registration");
      Proc client = hosts.onA("client", hosts.socketA().toString(), "{\"host\":\"b\",\"svc\":\"greeter\"}", "hello from host A");
      client.stdout.awaitLine(l -> l.startsWith("reply "), "the reply");
      greeter.stdout.awaitLine(l -> l.startsWith("got "), "the greeter's line");
      for (String l : client.stdout.lines()) System.out.println("client on A: " + l);
      for (String l : greeter.stdout.lines()) System.out.println("greeter on B: " + l);
    }
    System.out.println("namespaces deleted");
  }
}
