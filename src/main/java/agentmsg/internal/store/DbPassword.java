package agentmsg.internal.store;

import agentmsg.StoreUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The database's password, kept in {@code <home>/.db-password} (0600). H2's mixed mode serves the
 * database on a loopback port that every local user can reach; the password keeps the other users
 * out, while every process of the data home's owner reads it from the file.
 */
final class DbPassword {
  static final String FILE_NAME = ".db-password";

  private DbPassword() {}

  /** Reads the password, creating it (once, however many processes race) if there is none. */
  static String load(Path home) {
    Path file = home.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) {
        return read(file);
      }
      byte[] random = new byte[24];
      new SecureRandom().nextBytes(random);
      String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Path tmp = Files.createTempFile(home, ".db-password", ".tmp", ownerOnly());
      try {
        Files.writeString(tmp, password + "\n", StandardCharsets.UTF_8);
        // A hard link appears whole and never replaces a file another process made first.
        Files.createLink(file, tmp);
        return password;
      } catch (FileAlreadyExistsException lostTheRace) {
        return read(file);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new StoreUnavailableException("cannot read or create " + file + ": " + e, e);
    }
  }

  private static String read(Path file) throws IOException {
    String password = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (password.isEmpty() || !password.matches("[A-Za-z0-9_-]+")) {
      throw new IOException(
          "it is empty or malformed; restore it, or it no longer opens the store");
    }
    return password;
  }

  private static java.nio.file.attribute.FileAttribute<?>[] ownerOnly() {
    if (!supportsPosix()) {
      return new java.nio.file.attribute.FileAttribute<?>[0];
    }
    return new java.nio.file.attribute.FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
    };
  }

  private static boolean supportsPosix() {
    return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
