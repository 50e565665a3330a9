package agentmsg.internal.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The connections of one process to one shared PostgreSQL database: a pool that every store of the
 * process on that database takes its connections from, for one unit of work at a time.
 *
 * <p>Sized for a server: its writer, pusher, cluster resync, inbox importer and console each hold
 * at most one connection at a time, and read requests (list, history, search, threads) from many
 * clients run side by side on the rest, {@value #MAX_CONNECTIONS} in all (plus the one listening
 * connection of {@link ClusterHints}, which a pool cannot lend). The pool opens connections as they
 * are needed and keeps one: a command such as {@code list --db} uses one. Thread-safe.
 */
final class PostgresPool {
  /** The most connections a process holds on one database. */
  static final int MAX_CONNECTIONS = 10;

  /** How long a unit of work waits for a free connection, or for a new one, before it retries. */
  private static final long WAIT_MILLIS = 5_000;

  private static final Map<String, PostgresPool> OPEN = new HashMap<>();
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final String key;
  private final HikariDataSource source;
  private int users;

  private PostgresPool(String key, Database database) {
    this.key = key;
    HikariConfig config = new HikariConfig();
    config.setPoolName("agent-msg-db");
    config.setDriverClassName("org.postgresql.Driver");
    config.setJdbcUrl(database.url());
    config.setDataSourceProperties(database.credentials());
    config.setMaximumPoolSize(MAX_CONNECTIONS);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(WAIT_MILLIS);
    // The store reaches the database (and migrates it) before it takes a pooled connection: the
    // pool itself starts without one, so a wrong URL fails there, at once, with the driver's words.
    config.setInitializationFailTimeout(-1);
    config.setThreadFactory(
        task -> {
          Thread thread = new Thread(task, "agent-msg-db-pool-" + THREADS.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    this.source = new HikariDataSource(config);
  }

  /** The pool of {@code database} for this process, opened on first use; {@link #release} it. */
  static synchronized PostgresPool acquire(Database database) {
    String key = database.url() + "\n" + database.credentials();
    PostgresPool pool = OPEN.computeIfAbsent(key, unused -> new PostgresPool(key, database));
    pool.users++;
    return pool;
  }

  /** Where the store takes its connections from. */
  DataSource dataSource() {
    return source;
  }

  /** Gives the pool back; the last store of the process to do so closes its connections. */
  void release() {
    synchronized (PostgresPool.class) {
      if (--users > 0) {
        return;
      }
      OPEN.remove(key);
    }
    source.close();
  }
}
