package io.capnet.switchboard;

import io.capnet.tcptls.TlsIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The daemon's state directory (spec/switchboard.md section 11): its Ed25519 key, a random salt,
 * and one file per minted sturdyref under {@code handles/}. Every file is written whole to a
 * temporary name, fsynced, renamed into place and the directory fsynced, so a crash leaves either
 * the old state or the new one, never half a file.
 *
 * <p>Everything here is checked as it is opened: the directories must belong to the daemon's
 * uid and be writable by nobody else, the files must be the daemon's and private to it. A file
 * that does not parse stops the daemon with its name: a silent start with less state would
 * revoke sturdyrefs nobody dropped.
 */
final class StateDir {
  static final String KEY_FILE = "key.pem";
  static final String SALT_FILE = "salt";
  static final String HANDLES_DIR = "handles";
  static final String LOCK_FILE = "lock";
  private static final Pattern ENTRY_NAME = Pattern.compile("[0-9a-f]{16}\\.json");
  private static final Set<PosixFilePermission> GROUP_OTHER_WRITE =
      Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
  private static final Set<PosixFilePermission> GROUP_OTHER = Set.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
  private static final SecureRandom RANDOM = new SecureRandom();

  final Path dir;
  private final Path handles;
  private final FileChannel lock;
  final String designator;
  final io.capnet.tcptls.TlsIdentity identity;
  final byte[] salt;
  final List<SturdyrefTable.Entry> entries;

  private StateDir(Path dir, FileChannel lock, io.capnet.tcptls.TlsIdentity identity, byte[] salt, List<SturdyrefTable.Entry> entries) {
    this.dir = dir;
    this.handles = dir.resolve(HANDLES_DIR);
    this.lock = lock;
    this.identity = identity;
    this.designator = identity.designator();
    this.salt = salt;
    this.entries = entries;
  }

  /**
   * Opens {@code dir}, making it (mode 0700) and its key and salt when they do not exist.
   *
   * @throws IOException naming the path and what is wrong with it: a mode others can write, an
   *     owner that is not {@code uid}, a file that does not parse
   */
  static StateDir open(Path dir, long uid) throws IOException {
    dir = dir.toAbsolutePath();
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (NoSuchFileException e) {
        throw new IOException("state dir " + dir + ": its parent directory does not exist", e);
      }
      fsyncDir(dir.getParent());
    }
    checkDir(dir, uid);
    // Two daemons on one table would each miss the other's mints; the lock ends with the process.
    Path lockFile = dir.resolve(LOCK_FILE);
    FileChannel lock = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      checkFile(lockFile, uid);
      java.nio.channels.FileLock held;
      try {
        held = lock.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        held = null; // this process already holds it
      }
      if (held == null) throw new IOException("state dir " + dir + " is in use by another Switchboard daemon");
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    try {
      return load(dir, uid, lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private static StateDir load(Path dir, long uid, FileChannel lock) throws IOException {
    Path handles = dir.resolve(HANDLES_DIR);
    if (!Files.exists(handles, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectory(handles, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      fsyncDir(dir);
    }
    checkDir(handles, uid);
    removeTemporaries(dir);
    removeTemporaries(handles);

    // A fresh key or salt would silently kill every stored sturdyref: only an empty table gets one.
    long stored;
    try (Stream<Path> files = Files.list(handles)) {
      stored = files.count();
    }
    Path keyFile = dir.resolve(KEY_FILE);
    Path saltFile = dir.resolve(SALT_FILE);
    for (Path needed : List.of(keyFile, saltFile)) {
      if (stored > 0 && !Files.exists(needed, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("state dir " + dir + " holds handle files (" + stored + ") but no " + needed.getFileName()
            + "; without it they are all dead. Restore " + needed + " from a backup, or remove " + handles
            + " to start afresh");
      }
    }
    if (!Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS)) {
      // TlsIdentity writes PKCS#8 PEM at mode 0600 (as `capnet identity new`); it goes to a
      // temporary name first so that a crash never leaves half a key under the real one.
      Path temp = dir.resolve("." + KEY_FILE + ".tmp");
      TlsIdentity.generate().save(temp);
      fsync(temp);
      Files.move(temp, keyFile, StandardCopyOption.ATOMIC_MOVE);
      fsyncDir(dir);
    }
    checkFile(keyFile, uid);
    TlsIdentity designator;
    try {
      designator = TlsIdentity.load(keyFile);
    } catch (IOException e) {
      // TlsIdentity's message starts with the file's name; say it is the state that is corrupt.
      String why = e.getMessage().startsWith(keyFile + ": ") ? e.getMessage().substring(keyFile.toString().length() + 2) : e.getMessage();
      throw new IOException("state file " + keyFile + " is corrupt: " + why, e);
    }

    if (!Files.exists(saltFile, LinkOption.NOFOLLOW_LINKS)) {
      byte[] fresh = new byte[32];
      RANDOM.nextBytes(fresh);
      writeAtomically(dir, SALT_FILE, HexFormat.of().formatHex(fresh) + "\n");
    }
    checkFile(saltFile, uid);
    byte[] salt;
    try {
      String text = Files.readString(saltFile, StandardCharsets.US_ASCII).strip();
      if (text.length() != 64) throw new IllegalArgumentException("it holds " + text.length() + " characters, not 64 hex digits");
      salt = HexFormat.of().parseHex(text);
    } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
      throw new IOException("state file " + saltFile + " is corrupt: " + e.getMessage(), e);
    }

    List<SturdyrefTable.Entry> entries = new ArrayList<>();
    try (Stream<Path> files = Files.list(handles)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!ENTRY_NAME.matcher(name).matches()) {
          throw new IOException("state dir " + handles + " holds " + name + ", which is not a handle file"
              + " (<16 hex digits>.json); move it away");
        }
        checkFile(f, uid);
        String text;
        try {
          text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
          throw new IOException("state file " + f + " is corrupt: not UTF-8", e);
        }
        SturdyrefTable.Entry entry;
        try {
          entry = SturdyrefTable.Entry.fromJson(text);
        } catch (IllegalArgumentException e) {
          throw new IOException("state file " + f + " is corrupt: " + e.getMessage(), e);
        }
        if (!name.equals(entry.id() + ".json")) {
          throw new IOException("state file " + f + " is corrupt: it holds the entry " + entry.id());
        }
        entries.add(entry);
      }
    }
    return new StateDir(dir, lock, designator, salt, entries);
  }

  /** Lets another daemon open the directory. */
  void close() {
    try {
      lock.close();
    } catch (IOException e) {
      // the lock ends with the process anyway
    }
  }

  /** Writes (or replaces) one entry's file; it is on disk when this returns. */
  void write(SturdyrefTable.Entry entry) throws IOException {
    writeAtomically(handles, entry.id() + ".json", entry.toJson() + "\n");
  }

  /** Removes one entry's file; it is gone from disk when this returns. */
  void delete(String id) throws IOException {
    Files.deleteIfExists(handles.resolve(id + ".json"));
    fsyncDir(handles);
  }

  /** Temporary file, fsync, rename over {@code name}, fsync the directory. */
  static void writeAtomically(Path dir, String name, String text) throws IOException {
    Path temp = dir.resolve("." + name + ".tmp");
    Files.deleteIfExists(temp);
    try (FileChannel c = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) c.write(b);
      c.force(true);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("could not write " + temp + ": it appeared while being written", e);
    }
    Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDir(dir);
  }

  private static void fsync(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.force(true);
    }
  }

  /** Makes a rename or delete in {@code dir} durable (Linux lets a directory be opened to fsync it). */
  private static void fsyncDir(Path dir) throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    }
  }

  /** Left by a crash between write and rename: never the real state. */
  private static void removeTemporaries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") && name.endsWith(".tmp")) Files.deleteIfExists(f);
      }
    }
  }

  private static void checkDir(Path dir, long uid) throws IOException {
    PosixFileAttributes a = attributes(dir);
    if (!a.isDirectory()) throw new IOException("state dir " + dir + " is not a directory (symbolic links are not followed)");
    checkOwner(dir, uid, "state dir");
    if (a.permissions().stream().anyMatch(GROUP_OTHER_WRITE::contains)) {
      throw new IOException("state dir " + dir + " has mode " + mode(a.permissions())
          + ", which lets other users write it; it must be 0700 (chmod 700 " + dir + ")");
    }
  }

  private static void checkFile(Path file, long uid) throws IOException {
    PosixFileAttributes a = attributes(file);
    if (!a.isRegularFile()) throw new IOException("state file " + file + " is not a regular file");
    checkOwner(file, uid, "state file");
    if (a.permissions().stream().anyMatch(GROUP_OTHER::contains)) {
      throw new IOException("state file " + file + " has mode " + mode(a.permissions())
          + ", which lets other users read or write it; it must be 0600 (chmod 600 " + file + ")");
    }
  }

  private static void checkOwner(Path p, long uid, String what) throws IOException {
    int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (owner != uid) {
      throw new IOException(what + " " + p + " is owned by uid " + owner + ", not by the daemon's uid " + uid);
    }
  }

  private static PosixFileAttributes attributes(Path p) throws IOException {
    return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  /** Octal, as chmod takes it: 0777. */
  static String mode(Set<PosixFilePermission> perms) {
    int m = 0;
    for (PosixFilePermission p : perms) m |= 1 << (8 - p.ordinal());
    return String.format("0%03o", m);
  }
}
