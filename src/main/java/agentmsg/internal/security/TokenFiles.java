package agentmsg.internal.security;

import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The token files of a data home: {@code tokens/<agent>.token}, one line each. The folder is made
 * 0700 and each file 0600 at creation (never widened and then narrowed), written to a temporary
 * file in the same folder and renamed into place. On a file system without POSIX permissions the
 * files are written anyway, with one warning per process. Thread-safe.
 */
public final class TokenFiles {
  /** The folder in the data home. */
  public static final String FOLDER = "tokens";

  private static final Set<PosixFilePermission> OWNER_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_FOLDER =
      PosixFilePermissions.fromString("rwx------");
  private static final AtomicBoolean WARNED_NO_POSIX = new AtomicBoolean();

  private TokenFiles() {}

  /** The token file of {@code agent} in {@code home}. */
  public static Path file(Path home, String agent) {
    return home.resolve(FOLDER).resolve(AgentNames.requireValid(agent) + ".token");
  }

  /**
   * The token in {@code file}, if the file exists.
   *
   * @param warnings told if the file can be read by others than its owner
   * @throws AgentMsgException with code {@code bad-token-file} if it cannot be read or holds no
   *     well-formed token
   */
  public static Optional<String> read(Path file, Consumer<String> warnings) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new AgentMsgException("bad-token-file", "cannot read token file " + file + ": " + e);
    }
    if (!Tokens.isWellFormed(text)) {
      // Never echo the content: it may be a secret that is merely mangled.
      throw new AgentMsgException(
          "bad-token-file",
          "token file "
              + file
              + " does not hold a token (16-512 printable characters without spaces)");
    }
    if (isPosix()) {
      try {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.contains(PosixFilePermission.GROUP_READ)
            || permissions.contains(PosixFilePermission.OTHERS_READ)) {
          warnings.accept(
              "token file "
                  + file
                  + " can be read by other users (fix it: chmod 600 "
                  + file
                  + ")");
        }
      } catch (IOException ignored) {
        // It was just read; a failure to read its permissions changes nothing.
      }
    }
    return Optional.of(text);
  }

  /**
   * Writes {@code token} to {@code file}, replacing it atomically, readable by its owner only.
   *
   * @param warnings told once per process if the file system has no POSIX permissions
   * @throws AgentMsgException with code {@code token-io} if it cannot be written
   */
  public static void write(Path file, String token, Consumer<String> warnings) {
    Path folder = file.toAbsolutePath().getParent();
    boolean posix = isPosix();
    try {
      if (posix) {
        Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(OWNER_FOLDER));
        if (!Files.getPosixFilePermissions(folder).equals(OWNER_FOLDER)) {
          Files.setPosixFilePermissions(folder, OWNER_FOLDER);
        }
      } else {
        Files.createDirectories(folder);
        if (WARNED_NO_POSIX.compareAndSet(false, true)) {
          warnings.accept(
              "the file system of "
                  + folder
                  + " has no POSIX permissions: token files there are protected only by"
                  + " the folder's own access rules");
        }
      }
      FileAttribute<?>[] attributes =
          posix
              ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)}
              : new FileAttribute<?>[0];
      Path temporary = Files.createTempFile(folder, ".token-", ".tmp", attributes);
      try {
        Files.writeString(temporary, token + "\n", StandardCharsets.UTF_8);
        try {
          Files.move(
              temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new AgentMsgException("token-io", "cannot write token file " + file + ": " + e, e);
    }
  }

  private static boolean isPosix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
