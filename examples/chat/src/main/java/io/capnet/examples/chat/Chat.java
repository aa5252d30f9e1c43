package io.capnet.examples.chat;

import io.capnet.captp.Methods;
import io.capnet.captp.Peer;
import io.capnet.captp.Ref;
import io.capnet.locator.PeerLocator;
import io.capnet.unix.Labels;
import io.capnet.unix.Right;
import io.capnet.unix.Switchboard;
import io.capnet.unix.SwitchboardProtocol;
import io.capnet.unix.UnixNetlayer;
import io.capnet.value.Bytes;
import io.capnet.value.Null;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One member of a chat room: {@code chat SOCKET ROOM NAME}. Lines typed on stdin go to every
 * other member of the room; what they say, and who joins and leaves, is printed on stdout.
 *
 * <p>Members find each other through the Switchboard by the labels
 * {@code {"app":"chat","room":ROOM}}. Everything after that is CapTP: each member gives each
 * other member an <em>inbox</em> object, and a line is a {@code say} message sent to it.
 */
public final class Chat {
  /**
   * Every member's door has this well-known swiss number. That is safe only because the
   * Switchboard decides who can reach a member at all: here, only handles for the same room.
   */
  static final Bytes DOOR = Bytes.of("chat-door".getBytes(StandardCharsets.US_ASCII));

  private final Peer peer;
  private final String name;
  /** Each other member's inbox for my lines, by name. Touched only in the peer's vat, so no locks. */
  private final Map<String, Ref> members = new HashMap<>();

  private Chat(Peer peer, String name) {
    this.peer = peer;
    this.name = name;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: chat SWITCHBOARD-SOCKET ROOM NAME");
      System.exit(2);
    }
    // The library logs each session's start and end at INFO; in a terminal that drowns the talk.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    String room = args[1];
    String name = args[2];
    try (Switchboard root = Switchboard.open(Path.of(args[0]))) {
      // The handle this member works with can do no more than chat in its room: its peer is
      // registered under the room's labels (in-labels), and it can list and connect to
      // nothing whose labels say another room (out-labels).
      Switchboard inRoom = root.constrain(EnumSet.of(Right.SERVER_START, Right.CLIENT_CONNECT, Right.LIST),
          Labels.of("app", "chat", "room", room, "member", name), Labels.of("app", "chat", "room", room));
      try (Peer peer = Peer.builder().name(name).netlayer(UnixNetlayer.create(inRoom)).build()) {
        Chat me = new Chat(peer, name);
        peer.export(me.door(), DOOR);
        me.greet(inRoom.list(Labels.empty()), room);
        me.relay(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
      }
    }
  }

  /** What a newcomer calls: it hands over its inbox for my lines and gets mine for its lines. */
  private Ref door() {
    return peer.spawn(Methods.builder().on("join", a -> {
      String who = (String) a.get(0);
      if (add(who, (Ref) a.get(1))) System.out.println("* " + who + " joined");
      return inboxFrom(who);
    }).build());
  }

  /**
   * An object that prints each line it is sent as said by {@code who}. The name is fixed here,
   * when the inbox is made for one member, so no member can speak as another.
   */
  private Ref inboxFrom(String who) {
    return peer.spawn(Methods.builder().on("say", a -> {
      System.out.println(who + ": " + a.get(0));
      return Null.NULL;
    }).build());
  }

  /** Knocks on the door of every member already in the room (the listing includes this one). */
  private void greet(List<Labels> registered, String room) {
    Map<String, String> others = new TreeMap<>(); // name -> designator
    for (Labels member : registered) {
      String who = member.get("member").orElse(null);
      String designator = member.get(SwitchboardProtocol.OCAPN_DESIGNATOR).orElse(null);
      // The listing is of everything this handle can see; only peers with a member name chat.
      if (who != null && designator != null && !designator.equals(peer.locator().designator())) {
        others.put(who, designator);
      }
    }
    if (others.containsKey(name)) {
      System.err.println("chat: the name " + name + " is taken in room " + room);
      System.exit(1);
    }
    List<String> here = new ArrayList<>();
    others.forEach((who, designator) -> {
      try {
        Ref theirDoor = (Ref) peer.enliven(PeerLocator.of(designator, "unix").sturdyref(DOOR)).future().get(10, TimeUnit.SECONDS);
        Ref theirInbox = (Ref) theirDoor.send("join", name, inboxFrom(who)).future().get(10, TimeUnit.SECONDS);
        peer.execute(() -> add(who, theirInbox));
        here.add(who);
      } catch (Exception e) {
        // It left between the listing and the knock: it is not here.
        System.err.println("chat: could not reach " + who + ": " + e.getMessage());
      }
    });
    System.out.println("* you are " + name + " in room " + room + "; here: "
        + (here.isEmpty() ? "nobody" : String.join(", ", here)));
  }

  /** In the vat. Returns false when {@code who} is already known (two members greeted each other at once). */
  private boolean add(String who, Ref inbox) {
    if (members.putIfAbsent(who, inbox) != null) return false;
    // A member leaves by going away, however it goes: its session ends and its inbox breaks.
    inbox.whenBroken(reason -> {
      if (members.remove(who, inbox)) System.out.println("* " + who + " left");
    });
    return true;
  }

  /** Sends each line to every member; returns at the end of stdin, which is leaving. */
  private void relay(BufferedReader in) throws Exception {
    for (String line; (line = in.readLine()) != null; ) {
      String text = line;
      peer.execute(() -> members.values().forEach(inbox -> inbox.sendOnly("say", text)));
    }
  }
}
