package agentmsg.server.console;

import agentmsg.AgentMsgException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * One-time sign-in codes. {@code agent-msg console} mints one as a file in the data home's {@code
 * console/} folder (owner-only, named by the code's hash, so a reader of the folder's listing
 * learns nothing it can use); the server redeems it by deleting that file, which succeeds once.
 * Whoever can write the data home can open a console: its owner. Thread-safe.
 */
public final class ConsoleCodes {
  /** How long a code stays valid after it was minted. */
  public static final Duration LIFETIME = Duration.ofMinutes(2);

  private static final SecureRandom RANDOM = new SecureRandom();

  private ConsoleCodes() {}

  /** Mints a code for the server on {@code home}; returns the code to put into the link. */
  public static String mint(Path home) {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    String code = HexFormat.of().formatHex(bytes);
    Path folder = folder(home);
    try {
      Files.createDirectories(folder);
      try {
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        Files.createFile(
            folder.resolve(hash(code)),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(folder.resolve(hash(code))); // no POSIX permissions here (Windows)
      }
    } catch (FileAlreadyExistsException e) {
      throw new AgentMsgException("console-failed", "a sign-in code clashed; run it again", e);
    } catch (IOException e) {
      throw new AgentMsgException(
          "console-failed", "cannot write a sign-in code into " + folder + ": " + e, e);
    }
    return code;
  }

  /** Whether {@code code} was minted for {@code home} within its lifetime; true once only. */
  static boolean redeem(Path home, String code, long nowMillis) {
    if (code == null || !code.matches("[0-9a-f]{48}")) {
      return false;
    }
    Path file = folder(home).resolve(hash(code));
    try {
      long minted = Files.getLastModifiedTime(file).toMillis();
      Files.delete(file); // the one redemption: a second delete finds nothing
      return nowMillis - minted <= LIFETIME.toMillis();
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  static Path folder(Path home) {
    return home.resolve("console");
  }

  static String hash(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }
}
