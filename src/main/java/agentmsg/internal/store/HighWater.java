package agentmsg.internal.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;

/**
 * The high-water mark kept beside the database file ({@value #FILE_NAME}): the highest message
 * sequence number and the number of agents the store held when a write was last synced. A store
 * that holds less than its mark went back in time (a truncated, replaced or re-created file), which
 * H2 itself never notices: it opens the last chunk it can read.
 *
 * <p>The mark is read before the sync and written after it, so it never claims more than is on the
 * disk; it is written without a sync of its own (it may lag behind after a power cut, never run
 * ahead). Two processes may write it at once; the lower one may win, which only weakens the check.
 * Prune can lower the highest sequence number; it syncs, which rewrites the mark. Stateless.
 */
public final class HighWater {
  /** The mark's file name in the data home. */
  public static final String FILE_NAME = "agent-msg.high-water";

  private HighWater() {}

  /**
   * What a store holds, as the mark counts it.
   *
   * @param seq the highest message sequence number (0 with no message)
   * @param agents how many agents are registered (agents are never deleted)
   */
  public record Mark(long seq, long agents) {
    /** Whether a store holding this lost something that {@code earlier} had. */
    public boolean lostFrom(Mark earlier) {
      return seq < earlier.seq || agents < earlier.agents;
    }

    String text() {
      return "seq=" + seq + " agents=" + agents + "\n";
    }
  }

  /** The mark of {@code home}, or null when there is none or it cannot be read. */
  public static Mark read(Path home) {
    String text;
    try {
      text = Files.readString(home.resolve(FILE_NAME), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException none) {
      return null;
    } catch (IOException | RuntimeException unreadable) {
      return null; // a mark that cannot be read vouches for nothing
    }
    long seq = -1;
    long agents = -1;
    for (String field : text.trim().split(" ", -1)) {
      try {
        if (field.startsWith("seq=")) {
          seq = Long.parseLong(field.substring(4));
        } else if (field.startsWith("agents=")) {
          agents = Long.parseLong(field.substring(7));
        }
      } catch (NumberFormatException garbled) {
        return null;
      }
    }
    return seq < 0 || agents < 0 ? null : new Mark(seq, agents);
  }

  /** What the store behind {@code handle} holds now: one query on two indexed counts. */
  static Mark current(Handle handle) throws SQLException {
    try (var statement =
            handle
                .getConnection()
                .prepareStatement(
                    "SELECT COALESCE(MAX(seq), 0), (SELECT COUNT(*) FROM agent) FROM message");
        var rows = statement.executeQuery()) {
      rows.next();
      return new Mark(rows.getLong(1), rows.getLong(2));
    }
  }

  /** Replaces the mark of {@code home}: a temporary file moved into place, no sync. */
  public static void write(Path home, Mark mark) throws IOException {
    Path tmp = Files.createTempFile(home, "." + FILE_NAME, ".tmp");
    Files.writeString(tmp, mark.text(), StandardCharsets.US_ASCII);
    try {
      Files.move(tmp, home.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }
}
