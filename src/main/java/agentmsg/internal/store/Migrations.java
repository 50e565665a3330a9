package agentmsg.internal.store;

import agentmsg.StoreUnavailableException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;

/**
 * Brings the schema up to date from the SQL files in {@code migrations/} (packaged as {@code
 * db/migration}), with Flyway. A call on a current schema costs one query and never loads Flyway:
 * most commands run in a fresh JVM, and Flyway's start-up alone would double their time.
 */
final class Migrations {
  /**
   * The newest migration's version. A test checks it against the files in {@code migrations/}, so
   * adding a migration without raising it fails the build.
   */
  static final int LATEST_VERSION = 11;

  private static final String HISTORY_TABLE = "flyway_schema_history";

  private Migrations() {}

  /** Migrates the store if its schema is older than {@link #LATEST_VERSION}. */
  // "try": the file lock is used by being held for the block.
  @SuppressWarnings("try")
  static void ensureCurrent(Handle handle, Store store) throws SQLException {
    if (isCurrent(handle)) {
      return;
    }
    // Many processes may find a new data home at once; one migrates, the others wait and re-check.
    var lockFile = store.home().resolve(".migrate.lock");
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      if (!isVersionCurrent(handle)) {
        FlywayRunner.migrate(store.url(), store.password());
      }
    } catch (IOException e) {
      throw new StoreUnavailableException("cannot lock " + lockFile + " to migrate: " + e, e);
    }
  }

  /**
   * Whether the schema is at {@link #LATEST_VERSION}. Messages whose words are not yet indexed do
   * not make it stale: {@link WordIndex} indexes them later.
   */
  static boolean isCurrent(Handle handle) throws SQLException {
    return isVersionCurrent(handle);
  }

  private static boolean hasTable(Handle handle, String table) throws SQLException {
    try (var statement =
        handle
            .getConnection()
            .prepareStatement(
                "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = ?")) {
      statement.setString(1, table);
      try (var rows = statement.executeQuery()) {
        return rows.next() && rows.getInt(1) > 0;
      }
    }
  }

  private static boolean isVersionCurrent(Handle handle) throws SQLException {
    if (!hasTable(handle, HISTORY_TABLE)) {
      return false;
    }
    var connection = handle.getConnection();
    try (var statement =
        connection.prepareStatement(
            "SELECT COUNT(*) FROM \""
                + HISTORY_TABLE
                + "\" WHERE \"success\" AND \"version\" = ?")) {
      statement.setString(1, Integer.toString(LATEST_VERSION));
      try (var rows = statement.executeQuery()) {
        return rows.next() && rows.getInt(1) > 0;
      }
    }
  }
}
