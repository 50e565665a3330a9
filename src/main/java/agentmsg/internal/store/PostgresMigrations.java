package agentmsg.internal.store;

import agentmsg.StoreUnavailableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Brings a shared PostgreSQL database's schema up to date, once, however many servers start on it
 * at the same time. PostgreSQL runs the migrations H2 runs ({@code db/migration}) and the piece it
 * needs besides them ({@code db/migration-postgresql}; see {@code migrations/README.md}), so both
 * have the same schema, checked against the same {@link Migrations#LATEST_VERSION}.
 *
 * <p>A current schema costs one query on one connection. Otherwise the caller takes the
 * session-level advisory lock {@link #LOCK_KEY} on that connection (its own, not one Flyway or a
 * pool uses), checks again, runs Flyway if still needed, and unlocks. A second server starting at
 * the same time waits on the lock and then finds the schema current; a server killed while it
 * migrates loses its session and with it the lock, and Flyway's transactional migrations leave no
 * half-applied version behind. Stateless and thread-safe.
 */
final class PostgresMigrations {
  /**
   * The key of the advisory lock ({@code pg_advisory_lock(bigint)}) that migrations hold:
   * "agentmsg" in ASCII, 7022344802737730407, recognisable in {@code pg_locks} ({@code classid}
   * 1634166126, {@code objid} 1953328999).
   */
  static final long LOCK_KEY = 0x6167656e746d7367L;

  private static final String URL_PREFIX = "jdbc:postgresql:";
  private static final String UNDEFINED_TABLE = "42P01";

  private PostgresMigrations() {}

  /**
   * Migrates the PostgreSQL database at {@code jdbcUrl} to {@link Migrations#LATEST_VERSION} if it
   * is older, waiting for another process that migrates it at the moment.
   *
   * @param jdbcUrl {@code jdbc:postgresql://host[:port]/database[?...]}; its {@code user} and
   *     {@code password} parameters are taken out of it (so that no message or Flyway log line
   *     shows the password), the others stay
   * @param credentials {@code user} and {@code password}, which win over the URL's; may be empty
   * @return whether this call migrated (false when the schema was current, or when another process
   *     migrated it while this one waited)
   * @throws StoreUnavailableException with a one-line reason (and what to check) when the database
   *     cannot be reached, refuses the login, or a migration fails; it never contains the password
   * @throws IllegalArgumentException if {@code jdbcUrl} is not a PostgreSQL URL
   */
  static boolean ensureCurrent(String jdbcUrl, Properties credentials) {
    Target target = Target.of(jdbcUrl, credentials);
    Connection connection;
    try {
      connection = DriverManager.getConnection(target.url(), target.connectionProperties());
    } catch (SQLException e) {
      throw target.unavailable("cannot connect to", e);
    }
    try (connection) {
      if (isCurrent(connection)) {
        return false;
      }
      try (Statement lock = connection.createStatement()) {
        lock.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
      }
      boolean migrated;
      try {
        migrated = migrateUnlessCurrent(connection, target);
      } catch (SQLException | RuntimeException e) {
        try {
          unlock(connection);
        } catch (SQLException unlockFailure) {
          e.addSuppressed(unlockFailure);
        }
        throw e;
      }
      unlock(connection);
      return migrated;
    } catch (SQLException e) {
      throw target.unavailable("cannot migrate", e);
    }
  }

  /** Under the lock: whether the schema was still old, and so migrated. */
  private static boolean migrateUnlessCurrent(Connection connection, Target target)
      throws SQLException {
    if (isCurrent(connection)) {
      return false;
    }
    FlywayRunner.migratePostgres(target.url(), target.user(), target.password());
    return true;
  }

  private static void unlock(Connection connection) throws SQLException {
    try (Statement unlock = connection.createStatement()) {
      unlock.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
    }
  }

  /**
   * Whether the schema is at {@link Migrations#LATEST_VERSION}: the rule of H2's check (a
   * successful row of that version in Flyway's history, whatever newer rows follow), in one query.
   * A database without the history table has never been migrated. {@code connection} must be in
   * auto-commit mode: the query's failure on a new database would abort an open transaction.
   */
  static boolean isCurrent(Connection connection) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT COUNT(*) FROM flyway_schema_history WHERE success AND version = ?")) {
      statement.setString(1, Integer.toString(Migrations.LATEST_VERSION));
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() && rows.getInt(1) > 0;
      }
    } catch (SQLException e) {
      if (UNDEFINED_TABLE.equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }

  /**
   * A database to migrate: its URL without the credentials, and the credentials. {@code shown} is
   * the URL without its parameters, which is what messages name.
   */
  private record Target(String url, String shown, String user, String password) {
    static Target of(String jdbcUrl, Properties credentials) {
      if (jdbcUrl == null || !jdbcUrl.startsWith(URL_PREFIX)) {
        throw new IllegalArgumentException(
            "not a PostgreSQL JDBC URL (" + URL_PREFIX + "//host/database): " + shown(jdbcUrl));
      }
      int query = jdbcUrl.indexOf('?');
      String base = query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
      String user = null;
      String password = null;
      List<String> kept = new ArrayList<>();
      if (query >= 0) {
        for (String parameter : jdbcUrl.substring(query + 1).split("&", -1)) {
          int equals = parameter.indexOf('=');
          String name = equals < 0 ? parameter : parameter.substring(0, equals);
          String value =
              equals < 0
                  ? ""
                  : URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8);
          switch (name) {
            case "user" -> user = value;
            case "password" -> password = value;
            default -> {
              if (!parameter.isEmpty()) {
                kept.add(parameter);
              }
            }
          }
        }
      }
      user = credentials.getProperty("user", user);
      password = credentials.getProperty("password", password);
      String url = kept.isEmpty() ? base : base + "?" + String.join("&", kept);
      return new Target(url, base, user, password);
    }

    Properties connectionProperties() {
      Properties properties = new Properties();
      if (user != null) {
        properties.setProperty("user", user);
      }
      if (password != null) {
        properties.setProperty("password", password);
      }
      // Who holds the advisory lock, in pg_stat_activity.
      properties.setProperty("ApplicationName", "agent-msg migrations");
      return properties;
    }

    StoreUnavailableException unavailable(String what, SQLException failure) {
      String message =
          what
              + " the PostgreSQL database "
              + shown
              + (user == null ? "" : " as " + user)
              + ": "
              + reason(failure)
              + hint(failure);
      if (password != null && !password.isEmpty()) {
        // No driver or Flyway message we know of repeats the password; this makes sure.
        message = message.replace(password, "***");
      }
      return new StoreUnavailableException(message, failure);
    }

    private static String shown(String jdbcUrl) {
      if (jdbcUrl == null) {
        return "null";
      }
      int query = jdbcUrl.indexOf('?');
      return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }
  }

  /**
   * What failed, in one line: the failure's headline (Flyway's "Migration V10__... failed", or the
   * driver's "FATAL: password authentication failed ..."), the database's own message beneath it if
   * there is one, and the network's error beneath that (an unknown host, a timeout).
   */
  static String reason(SQLException failure) {
    StringBuilder reason = new StringBuilder(headline(failure.getMessage()));
    SQLException database = null;
    Throwable root = failure;
    for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        database = sql;
      }
      root = cause;
    }
    if (database != null) {
      String line = headline(database.getMessage());
      if (reason.indexOf(line) < 0) {
        reason.append(": ").append(line);
      }
    }
    // The driver says "The connection attempt failed." for an unknown host or a timeout; a refused
    // connection it names itself.
    if (root instanceof IOException
        && !(root instanceof ConnectException)
        && root.getMessage() != null) {
      reason
          .append(" (")
          .append(root.getClass().getSimpleName())
          .append(' ')
          .append(headline(root.getMessage()))
          .append(')');
    }
    return reason.toString();
  }

  /** What to check next, for the failures a person can fix; empty for the others. */
  private static String hint(SQLException failure) {
    String state = failure.getSQLState();
    for (Throwable cause = failure.getCause();
        state == null && cause != null;
        cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        state = sql.getSQLState();
      }
    }
    if (state == null) {
      return "";
    }
    if (state.equals("28P01") || state.equals("28000")) {
      return " (check the user and the password)";
    }
    if (state.equals("3D000")) {
      return " (create the database first: CREATE DATABASE)";
    }
    if (state.startsWith("08")) {
      return " (check the host and the port, and that PostgreSQL runs and accepts TCP connections"
          + " there)";
    }
    return "";
  }

  /**
   * The text up to the first line of details: Flyway's messages go on with a line of dashes, SQL
   * State, Position, the statement; the driver's with "Detail:", "Hint:", "Position:".
   */
  private static String headline(String message) {
    if (message == null || message.isBlank()) {
      return "no message";
    }
    StringBuilder headline = new StringBuilder();
    for (String line : message.strip().lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("---") || line.startsWith(" ")) {
        break;
      }
      headline.append(headline.length() == 0 ? "" : "; ").append(trimmed);
    }
    return headline.toString();
  }
}
