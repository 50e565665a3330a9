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
 * one process. H2's own compaction on close is off ({@code MAX_COMPACT_TIME=0}): it cost every
 * short CLI call about 100 ms. So the process that owns the file does a bounded step of the same
 * compaction itself every so many writes, and syncs what it rewrote ({@link #compact}), and, when
 * it closes the file, compacts it only if it is mostly dead chunks ({@link #compactIfSparse}).
 * Stateless.
 */
final class Housekeeping {
  /** Chunks less full than this are rewritten; H2's own default target is 90. */
  static final int FILL_RATE = 80;

  /** At most about this many bytes are rewritten per step. */
  static final int WRITE_BYTES = 4 << 20;

  /** A file at most this large is never compacted on close. */
  static final long SPARSE_MIN_BYTES = 1 << 20;

  /** A file whose chunks hold less live data than this (percent) is compacted on close. */
  static final int SPARSE_FILL_RATE = 50;

  /** How long compacting on close may take: H2's own default for its close. */
  static final int CLOSE_COMPACT_MILLIS = 200;

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
   * Before the owner closes the database: when dead chunks fill much of the file, compacts it
   * (moves the live chunks to the front and truncates, within {@link #CLOSE_COMPACT_MILLIS}), which
   * H2's close would otherwise do every time ({@code MAX_COMPACT_TIME=0} turns that off: it cost a
   * short CLI call about 100 ms). Best effort.
   */
  static void compactIfSparse(Connection connection) {
    try {
      MVStore store = ownStore(connection);
      if (store != null
          && store.getFileStore().size() > SPARSE_MIN_BYTES
          && store.getFileStore().getChunksFillRate() < SPARSE_FILL_RATE) {
        store.compactFile(CLOSE_COMPACT_MILLIS);
      }
    } catch (SQLException | RuntimeException e) {
      // The next owner to close tries again.
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
    return ownStore(handle.getConnection());
  }

  private static MVStore ownStore(Connection connection) throws SQLException {
    if (connection.isWrapperFor(JdbcConnection.class)
        && connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session) {
      return session.getDatabase().getStore().getMvStore();
    }
    return null;
  }
}
