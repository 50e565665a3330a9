package agentmsg.internal.store;

import agentmsg.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Brings a shared PostgreSQL database's schema up to date from the same migrations as H2 (plus
 * {@code migrations/postgresql}, see its callback), once, whichever of the servers starting at once
 * comes first: a server takes PostgreSQL's advisory lock {@link #LOCK_KEY} on a connection of its
 * own, checks again, migrates, and lets go; the others wait on the lock and then find the schema
 * current. A call on a current schema costs one query.
 */
final class PostgresMigrations {
  /** The advisory lock's key: "agentmsg" in ASCII, so that it is recognisable in pg_locks. */
  static final long LOCK_KEY = 0x6167656e746d7367L;

  private static final String HISTORY_TABLE = "flyway_schema_history";

  private PostgresMigrations() {}

  /** Migrates the database at {@code url} if its schema is older than the newest migration. */
  static void ensureCurrent(String url, Properties credentials) {
    try (Connection connection = new org.postgresql.Driver().connect(url, credentials)) {
      if (connection == null) {
        throw new SQLException("not a PostgreSQL URL: " + Database.stripped(url));
      }
      if (isCurrent(connection)) {
        return;
      }
      try (Statement lock = connection.createStatement()) {
        lock.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
      }
      try {
        if (!isCurrent(connection)) {
          FlywayRunner.migratePostgres(url, credentials);
        }
      } finally {
        try (Statement unlock = connection.createStatement()) {
          unlock.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
        }
      }
    } catch (SQLException e) {
      throw new StoreUnavailableException(
          "cannot bring the database "
              + Database.stripped(url)
              + " up to date: "
              + firstLine(e.getMessage()),
          e);
    }
  }

  /** Whether the schema is at {@link Migrations#LATEST_VERSION}. */
  static boolean isCurrent(Connection connection) throws SQLException {
    try (PreparedStatement table =
        connection.prepareStatement(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = ?"
                + " AND table_schema = current_schema()")) {
      table.setString(1, HISTORY_TABLE);
      try (ResultSet rows = table.executeQuery()) {
        if (!rows.next() || rows.getInt(1) == 0) {
          return false;
        }
      }
    }
    try (PreparedStatement version =
        connection.prepareStatement(
            "SELECT COUNT(*) FROM " + HISTORY_TABLE + " WHERE success AND version = ?")) {
      version.setString(1, Integer.toString(Migrations.LATEST_VERSION));
      try (ResultSet rows = version.executeQuery()) {
        return rows.next() && rows.getInt(1) > 0;
      }
    }
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unknown error";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
