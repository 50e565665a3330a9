package agentmsg.internal.store;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.jdbi.v3.core.Handle;

/**
 * Keeps the database file from growing without bound. H2 compacts its file (rewrites the chunks
 * that old versions left mostly empty, so that their space is reused) only in its background writer
 * thread, and that thread runs only with a {@code WRITE_DELAY} above 0, which would give up the
 * write of every commit before it returns. With {@code WRITE_DELAY=0} nothing compacts while the
 * database is open: every synced commit left about 100 KB behind, 2.2 GB after 20,000 sends from
 * one process. Closing does not compact either ({@code MAX_COMPACT_TIME=0}, to keep CLI calls
 * short). So the process that owns the file does a bounded step of the same compaction itself, on
 * its first unit of work and every so many after, and syncs what it rewrote; the step returns at
 * once while the chunks are full enough. Stateless.
 */
final class Housekeeping {
  /** Chunks less full than this are rewritten; H2's own default target is 90. */
  static final int FILL_RATE = 80;

  /** At most about this many bytes are rewritten per step. */
  static final int WRITE_BYTES = 4 << 20;

  private Housekeeping() {}

  /**
   * One compaction step, when this process owns the file (a process connected through another one's
   * server has nothing to compact: the owner does it). Best effort: a failure only means the file
   * stays larger for now.
   */
  static void compact(Handle handle) {
    try {
      MVStore store = ownStore(handle);
      if (store != null && store.compact(FILL_RATE, WRITE_BYTES)) {
        // The rewritten pages replace older copies: put them on the disk like any commit.
        store.sync();
      }
    } catch (SQLException | RuntimeException e) {
      // Compaction is an optimisation; the next step tries again.
    }
  }

  /**
   * The file's current version, which every commit raises, or -1 when this process does not own the
   * file: a cheap way to tell whether a unit of work wrote anything.
   */
  static long version(Handle handle) {
    try {
      MVStore store = ownStore(handle);
      return store == null ? -1 : store.getCurrentVersion();
    } catch (SQLException | RuntimeException e) {
      return -1;
    }
  }

  /** The file's MVStore when this process owns it, else null. */
  private static MVStore ownStore(Handle handle) throws SQLException {
    Connection connection = handle.getConnection();
    if (connection.isWrapperFor(JdbcConnection.class)
        && connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session) {
      return session.getDatabase().getStore().getMvStore();
    }
    return null;
  }
}
