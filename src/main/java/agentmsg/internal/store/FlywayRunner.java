package agentmsg.internal.store;

import agentmsg.StoreUnavailableException;
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
   * Migrates a PostgreSQL database: the shared migrations and PostgreSQL's own callback. The caller
   * holds the advisory lock ({@link PostgresMigrations}); Flyway takes its own as well.
   */
  static void migratePostgres(String url, java.util.Properties credentials) {
    try {
      Flyway.configure()
          .dataSource(url, credentials.getProperty("user"), credentials.getProperty("password"))
          .locations("classpath:db/migration", "classpath:db/migration-postgresql")
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new StoreUnavailableException(
          "cannot bring the database "
              + Database.stripped(url)
              + " up to date: "
              + Database.stripped(String.valueOf(e.getMessage())),
          e);
    }
  }
}
