package agentmsg.internal.store;

import agentmsg.StoreUnavailableException;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** The only class that touches Flyway, so that the JVM loads it only when a migration is due. */
final class FlywayRunner {
  private FlywayRunner() {}

  static void migrate(String url, String password) {
    try {
      Flyway.configure()
          .dataSource(url, "sa", password)
          .locations("classpath:db/migration")
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new StoreUnavailableException("cannot bring the message store up to date: " + e, e);
    }
  }

  /**
   * Migrates a PostgreSQL database from the shared migrations and PostgreSQL's own piece (see
   * {@code migrations/README.md}). The caller holds the advisory lock of {@link
   * PostgresMigrations}. {@code url} must not carry the password: Flyway names it in its messages.
   *
   * @throws SQLException what Flyway failed with (its message, and the SQL state of the statement
   *     that failed if one did), so that the caller handles one kind of failure and need not load
   *     Flyway's classes to catch it
   */
  static void migratePostgres(String url, String user, String password) throws SQLException {
    try {
      Flyway.configure()
          .dataSource(url, user, password)
          .locations("classpath:db/migration", "classpath:db/migration-postgresql")
          .load()
          .migrate();
    } catch (FlywayException e) {
      String state = null;
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof SQLException sql && sql.getSQLState() != null) {
          state = sql.getSQLState();
        }
      }
      throw new SQLException(e.getMessage(), state, e);
    }
  }
}
