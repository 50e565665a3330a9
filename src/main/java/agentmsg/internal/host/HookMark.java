package agentmsg.internal.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

/**
 * What lets a {@code hook} call with nothing new start no JVM: the state of the agent's inbox
 * folder that the last hook call saw before it read the store, when that call left nothing
 * unsurfaced. Every message reaches the store before its mirror file lands in that folder, and a
 * file landing changes the folder's modification time; so while the folder still shows that time,
 * nothing can have arrived since. The native client and {@link HostClient} check it; {@code hook}
 * writes it.
 */
public final class HookMark {
  /** A mark older than this is not trusted: a call then asks the store (a lost mirror write). */
  public static final Duration MAX_AGE = Duration.ofSeconds(60);

  /**
   * How old the folder's time must be when seen: a change within the same tick of the file system's
   * clock would leave it as it was. File systems without sub-second times need seconds.
   */
  private static final Duration SETTLED = Duration.ofMillis(50);

  private static final Duration SETTLED_COARSE = Duration.ofMillis(2_500);

  private HookMark() {}

  /** The mark of {@code agent} in {@code home}. */
  public static Path file(Path home, String agent) {
    return home.resolve(".host").resolve("hook").resolve(agent);
  }

  /** The agent's inbox folder. */
  static Path inbox(Path home, String agent) {
    return home.resolve("inbox").resolve(agent);
  }

  /**
   * The inbox folder's state as a mark's text, or null when it changed too recently to be told
   * apart from a change still to come.
   */
  public static String observe(Path home, String agent) {
    Instant modified;
    try {
      modified = Files.getLastModifiedTime(inbox(home, agent)).toInstant();
    } catch (NoSuchFileException absent) {
      return "v1 absent\n";
    } catch (IOException unreadable) {
      return null;
    }
    Duration settled = modified.getNano() == 0 ? SETTLED_COARSE : SETTLED;
    if (modified.isAfter(Instant.now().minus(settled))) {
      return null;
    }
    return "v1 " + modified.getEpochSecond() + " " + modified.getNano() + "\n";
  }

  /** Records {@code observed} (from {@link #observe}); best effort, the mark is only a shortcut. */
  public static void write(Path home, String agent, String observed) {
    Path mark = file(home, agent);
    try {
      Path folder = mark.getParent();
      Files.createDirectories(folder);
      Path temporary = folder.resolve("." + agent + ".tmp" + ProcessHandle.current().pid());
      Files.writeString(temporary, observed, StandardCharsets.US_ASCII);
      Files.move(
          temporary, mark, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException unwritable) {
      forget(home, agent);
    }
  }

  /** Removes the mark, so the next call asks the store. */
  public static void forget(Path home, String agent) {
    try {
      Files.deleteIfExists(file(home, agent));
    } catch (IOException ignored) {
      // A mark that cannot be removed cannot be read either.
    }
  }

  /** Whether the mark says nothing can be new for {@code agent}. */
  public static boolean nothingNew(Path home, String agent) {
    Path mark = file(home, agent);
    try {
      FileTime written = Files.getLastModifiedTime(mark);
      Instant now = Instant.now();
      Instant at = written.toInstant();
      if (at.isBefore(now.minus(MAX_AGE)) || at.isAfter(now.plusSeconds(1))) {
        return false;
      }
      String recorded = Files.readString(mark, StandardCharsets.US_ASCII);
      String current = currentState(home, agent);
      return current != null && current.equals(recorded);
    } catch (IOException | RuntimeException noMark) {
      return false;
    }
  }

  private static String currentState(Path home, String agent) {
    try {
      Instant modified = Files.getLastModifiedTime(inbox(home, agent)).toInstant();
      return "v1 " + modified.getEpochSecond() + " " + modified.getNano() + "\n";
    } catch (NoSuchFileException absent) {
      return "v1 absent\n";
    } catch (IOException unreadable) {
      return null;
    }
  }
}
