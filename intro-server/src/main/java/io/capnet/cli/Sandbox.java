package io.capnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code capnet run --sandbox}: the bubblewrap ({@code bwrap}) command line that runs a child
 * with no network of its own, nothing writable, and no file-system socket but what it is handed.
 *
 * <p>Only the system directories and the paths named with {@code --ro} are bound, read-only;
 * /tmp, /run, /var, /home and /root are absent. Binding / read-only would not do: connecting to
 * a socket file needs no write to the file system, so every daemon socket would stay reachable.
 * The child gets its own pid namespace, since /proc/PID/root of a host process would lead back
 * to the host's files.
 */
final class Sandbox {
  /** The Debian (and Ubuntu, Fedora) package that holds bwrap. */
  static final String PACKAGE = "bubblewrap";

  /** Read-only, when present: what a dynamically linked program and a JVM under /usr need. */
  private static final List<String> SYSTEM = List.of("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");

  private Sandbox() {}

  /** Why this system cannot sandbox, or null when it can. */
  static String unsupported(String osName) {
    if (!osName.toLowerCase(java.util.Locale.ROOT).startsWith("linux")) {
      return "--sandbox runs CMD under bubblewrap, which is Linux only; this is " + osName;
    }
    return null;
  }

  /** bwrap on {@code PATH}, or null. */
  static Path findBwrap(Map<String, String> env) {
    String path = env.getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, "bwrap");
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
    }
    return null;
  }

  static String missingBwrap() {
    return "--sandbox needs bwrap, which is not on PATH; install the " + PACKAGE
        + " package (Debian: apt-get install " + PACKAGE + ")";
  }

  /**
   * The full argv: {@code bwrap}, its options, {@code --}, then {@code command}.
   *
   * @param readOnly paths to bind read-only at the same place (each must exist)
   * @param daemonSocket the daemon's socket path if known: when it lies inside a bound path, its
   *     directory is covered by an empty read-only tmpfs
   * @param cwd the child starts here when that is inside a bound path, else in /
   * @throws IOException naming a {@code readOnly} path that does not exist, or is the daemon's socket
   */
  static List<String> command(Path bwrap, List<Path> readOnly, Path daemonSocket, Path cwd, List<String> command)
      throws IOException {
    List<String> a = new ArrayList<>(List.of(bwrap.toString(),
        "--unshare-all", "--unshare-net", "--die-with-parent", "--new-session", "--cap-drop", "ALL"));
    List<Path> bound = new ArrayList<>();
    for (String s : SYSTEM) {
      Path p = Path.of(s);
      if (Files.isSymbolicLink(p)) {
        a.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), s));
      } else if (Files.isDirectory(p)) {
        a.addAll(List.of("--ro-bind", s, s));
        bound.add(p);
      }
    }
    a.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--dir", "/tmp"));
    List<Path> extra = new ArrayList<>();
    for (Path p : readOnly) {
      Path abs = p.toAbsolutePath().normalize();
      if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) throw new IOException("--ro " + p + ": no such file or directory");
      extra.add(abs);
    }
    // Outer paths first, so a bind inside another is not covered by it.
    extra.sort(Comparator.comparingInt(Path::getNameCount));
    Path socket = daemonSocket == null ? null : daemonSocket.toAbsolutePath().normalize();
    if (socket != null && extra.contains(socket)) throw new IOException("--ro " + socket + " is the daemon's socket");
    Path hide = null;
    if (socket != null && Stream.concat(bound.stream(), extra.stream()).anyMatch(socket::startsWith)) hide = socket.getParent();
    boolean covered = false;
    for (Path abs : extra) {
      // The daemon's directory is covered after every bind around it, before those inside it.
      if (hide != null && !covered && abs.getNameCount() > hide.getNameCount()) {
        a.addAll(List.of("--tmpfs", hide.toString()));
        covered = true;
      }
      a.addAll(List.of("--ro-bind", abs.toRealPath().toString(), abs.toString()));
      bound.add(abs);
    }
    if (hide != null && !covered) a.addAll(List.of("--tmpfs", hide.toString()));
    if (hide != null) a.addAll(List.of("--remount-ro", hide.toString()));
    Path here = cwd.toAbsolutePath().normalize();
    String chdir = bound.stream().anyMatch(here::startsWith) ? here.toString() : "/";
    // The root is a tmpfs bwrap made, writable until remounted; /dev likewise.
    a.addAll(List.of("--remount-ro", "/dev", "--remount-ro", "/", "--chdir", chdir, "--"));
    a.addAll(command);
    return a;
  }
}
