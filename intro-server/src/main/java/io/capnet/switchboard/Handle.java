package io.capnet.switchboard;

import io.capnet.captp.Handler;
import io.capnet.captp.Ref;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.value.Symbol;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Switchboard handle: rights plus fixed in- and out-labels. Every method checks its right here,
 * and {@link SwitchboardCore} does the work; both run in the daemon's vat.
 */
final class Handle implements Handler {
  final SwitchboardCore core;
  final Set<Right> rights;
  final Labels in;
  final Labels out;
  Ref self;
  /**
   * The name the sturdyref table knows this handle by ("root", or 16 hex digits), given when it
   * first mints or is minted; null until then.
   */
  String id;

  Handle(SwitchboardCore core, Set<Right> rights, Labels in, Labels out) {
    this.core = core;
    this.rights = Set.copyOf(rights);
    this.in = in;
    this.out = out;
  }

  /**
   * Only ingress takes a descriptor (its socket, argument 1, which it hands on); any other sent
   * along, an extra argument say, is closed once the method has answered.
   */
  @Override
  public Object handle(List<Object> args) throws Exception {
    try {
      return dispatch(args);
    } finally {
      boolean ingress = !args.isEmpty() && args.get(0) instanceof Symbol m && m.name().equals("ingress");
      for (int i = 0; i < args.size(); i++) {
        if (!(ingress && i == 1 && args.get(1) instanceof io.capnet.value.Descriptor)) {
          io.capnet.value.Descriptor.closeAllIn(args.get(i));
        }
      }
    }
  }

  private Object dispatch(List<Object> args) throws Exception {
    if (args.isEmpty() || !(args.get(0) instanceof Symbol method)) {
      throw Errors.invalid("a handle takes a method symbol first");
    }
    return switch (method.name()) {
      case "rights" -> Right.names(rights);
      case "labels" -> Map.of("in", in.toValue(), "out", out.toValue());
      case "challenge" -> core.challenge();
      case "constrain" -> {
        arity(args, 3, "constrain takes rights, in-labels and out-labels");
        yield core.constrain(this, args.get(1), args.get(2), args.get(3));
      }
      case "sturdyref" -> core.sturdyref(this);
      case "mint" -> {
        arity(args, 3, "mint takes rights, in-labels and out-labels");
        yield core.mint(this, args.get(1), args.get(2), args.get(3));
      }
      case "minted" -> {
        arity(args, 0, "minted takes no arguments");
        yield core.minted(this);
      }
      case "drop-sturdyref" -> {
        arity(args, 1, "drop-sturdyref takes a sturdyref URI this handle made, or its id");
        yield core.dropSturdyref(this, args.get(1));
      }
      case "socket" -> core.socket(this);
      case "serve" -> {
        arity(args, 2, "serve takes labels and a server object");
        yield core.serve(this, args.get(1), args.get(2));
      }
      case "register-peer" -> {
        arity(args, 3, "register-peer takes a public key, a signature and a server object");
        yield core.registerPeer(this, args.get(1), args.get(2), args.get(3));
      }
      case "connect" -> {
        arity(args, 1, "connect takes labels");
        yield core.connect(this, args.get(1), null);
      }
      case "ingress" -> {
        arity(args, 2, "ingress takes a socket and labels");
        yield core.ingress(this, args.get(1), args.get(2));
      }
      case "egress" -> {
        arity(args, 2, "egress takes labels and an egress object");
        yield core.egress(this, args.get(1), args.get(2));
      }
      case "resolver" -> {
        arity(args, 2, "resolver takes a list of label keys and a resolver object");
        yield core.resolver(this, args.get(1), args.get(2));
      }
      case "list" -> {
        if (args.size() > 2) throw Errors.invalid("list takes at most one label filter");
        yield core.list(this, args.size() == 2 ? args.get(1) : Map.of());
      }
      case "watch" -> {
        arity(args, 1, "watch takes a watcher object");
        yield core.watch(this, args.get(1));
      }
      default -> throw Errors.invalid("a handle has no method " + method.name()
          + "; it has rights, labels, challenge, constrain, sturdyref, mint, minted, drop-sturdyref, socket, serve, register-peer,"
          + " connect, ingress, egress, resolver, list and watch");
    };
  }

  static void arity(List<Object> args, int n, String usage) {
    if (args.size() != n + 1) throw Errors.invalid(usage + " (got " + (args.size() - 1) + " arguments)");
  }

  /** This handle's name in the sturdyref table, made on first use. */
  String id() {
    if (id == null) id = SturdyrefTable.newId();
    return id;
  }

  void require(Right right) {
    if (!rights.contains(right)) {
      throw Errors.denied("this handle lacks the right " + right + "; it has " + Right.names(rights));
    }
  }

  @Override
  public String toString() {
    return "handle " + Right.names(rights) + " in=" + in + " out=" + out;
  }
}
