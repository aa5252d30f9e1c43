package io.capnet.examples.files;

import io.capnet.captp.Handler;
import io.capnet.captp.Methods;
import io.capnet.value.Descriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The server's full authority over one directory: open a file for reading or for appending,
 * and list the names. Clients never get this object, only a facet of it that lets
 * {@code open-read} through.
 *
 * <p>Opening a local file does not wait on any other process, so the handlers may do it in
 * the vat's turn.
 */
final class Directory {
  private final Path root;

  /** @param root a real path (no symbolic links in it), so that {@link #resolve} can compare against it */
  Directory(Path root) {
    this.root = root;
  }

  Handler handler() {
    return Methods.builder()
        .on("open-read", a -> Descriptor.adopt(new FileInputStream(resolve(a).toFile()).getFD()))
        .on("open-write", a -> Descriptor.adopt(new FileOutputStream(resolve(a).toFile(), true).getFD()))
        .on("list", a -> {
          try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
          }
        })
        .build();
  }

  /**
   * The file a client's name designates. The refusals name only what the client sent: where
   * the directory is, the client is never told.
   */
  private Path resolve(List<Object> args) throws IOException {
    if (args.size() != 1 || !(args.get(0) instanceof String name)) {
      throw new IllegalArgumentException("give one file name, relative to the served directory");
    }
    Path asked = Path.of(name);
    if (asked.isAbsolute()) throw new IllegalArgumentException(name + ": absolute names are refused");
    for (Path part : asked) {
      if (part.toString().equals("..")) throw new IllegalArgumentException(name + ": names may not contain ..");
    }
    Path real;
    try {
      real = root.resolve(asked).toRealPath();
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(name + ": no such file");
    }
    // Compared on the real path, so a symbolic link in the directory cannot lead out of it.
    if (!real.startsWith(root)) throw new IllegalArgumentException(name + ": leads out of the served directory");
    if (!Files.isRegularFile(real)) throw new IllegalArgumentException(name + ": not a file");
    return real;
  }
}
