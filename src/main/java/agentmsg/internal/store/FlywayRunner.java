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
}
