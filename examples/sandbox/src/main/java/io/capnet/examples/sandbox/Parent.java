package io.capnet.examples.sandbox;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The parent: runs the probe as an untrusted child with {@code capnet run --sandbox}, holding only
 * {@code CLIENT_CONNECT} to {@code {"svc":"db"}}. Without targets it opens two of its own for the
 * probe to try (a loopback TCP listener and a unix socket under /tmp); the daemon's socket and a
 * write to /tmp are always tried. Exits with the child's code.
 */
final class Parent {
  private static final List<String> JVM_FLAGS = List.of(
      "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-Xmx96m");

  private Parent() {}

  static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: sandbox parent SWITCHBOARD-SOCKET [TARGET...]");
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("capnet-sandbox-");
    List<AutoCloseable> listeners = new ArrayList<>();
    int code;
    try {
      List<String> targets = new ArrayList<>(List.of(args).subList(1, args.length));
      if (targets.isEmpty()) {
        ServerSocket tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listeners.add(tcp);
        ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        unix.bind(UnixDomainSocketAddress.of(dir.resolve("other.sock")));
        listeners.add(unix);
        targets.add("tcp:127.0.0.1:" + tcp.getLocalPort());
        targets.add("unix:" + dir.resolve("other.sock"));
      }
      targets.add("unix:" + Path.of(args[0]).toAbsolutePath());
      targets.add("write:/tmp/capnet-probe-" + ProcessHandle.current().pid());

      String java = ProcessHandle.current().info().command().orElseThrow();
      String classPath = System.getProperty("java.class.path");
      Path nativeLib = unpackJunixsocket(classPath, dir.resolve("lib"));
      List<String> cmd = new ArrayList<>(List.of(java));
      cmd.addAll(JVM_FLAGS);
      cmd.addAll(List.of("-cp", classPath, "io.capnet.cli.Capnet", "run", "--switchboard", args[0], "--sandbox",
          "--rights", "CLIENT_CONNECT", "--out", Db.LABELS.toJson()));
      // What the child JVM reads: its class path, junixsocket's library, and the JDK if outside /usr.
      for (String entry : classPath.split(File.pathSeparator)) cmd.addAll(List.of("--ro", entry));
      cmd.addAll(List.of("--ro", nativeLib.getParent().toString()));
      Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
      if (!javaHome.startsWith("/usr")) cmd.addAll(List.of("--ro", javaHome.toString()));
      cmd.add("--");
      cmd.add(java);
      cmd.addAll(JVM_FLAGS);
      // Nothing is writable inside, so junixsocket cannot unpack its library: it loads this copy.
      cmd.addAll(List.of("-XX:-UsePerfData", "-Dorg.newsclub.net.unix.library.override=" + nativeLib,
          "-cp", classPath, Main.class.getName(), "probe"));
      cmd.addAll(targets);
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      code = p.waitFor();
      System.out.println("parent: the sandboxed child exited with " + code);
    } finally {
      for (AutoCloseable l : listeners) l.close();
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
    System.exit(code);
  }

  /** junixsocket's native library for this machine, copied out of the class path into {@code into}. */
  static Path unpackJunixsocket(String classPath, Path into) throws IOException {
    String arch = System.getProperty("os.arch");
    Pattern name = Pattern.compile("lib/" + Pattern.quote(arch) + "-Linux-[a-z]+/jni/libjunixsocket-native-[0-9.]+\\.so");
    for (String entry : classPath.split(File.pathSeparator)) {
      if (!entry.endsWith(".jar")) continue;
      try (JarFile jar = new JarFile(entry)) {
        var found = jar.stream().filter(e -> name.matcher(e.getName()).matches()).findFirst();
        if (found.isEmpty()) continue;
        Files.createDirectories(into);
        Path lib = into.resolve(Path.of(found.get().getName()).getFileName().toString());
        try (InputStream in = jar.getInputStream(found.get())) {
          Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
        }
        return lib;
      }
    }
    throw new IOException("no junixsocket native library for " + arch + " Linux on the class path");
  }
}
