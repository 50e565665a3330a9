package agentmsg.internal.store;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatements;

/**
 * The database a store runs on, where its SQL must differ: an embedded H2 file (the default, one
 * data home) or a PostgreSQL server that several agent-msg servers share. Most statements are
 * written once in the SQL both understand; the few that differ ask {@link #of} which to run.
 */
public enum Dialect {
  /** H2 2.x, the data home's file. */
  H2,
  /** PostgreSQL 12 or newer. */
  POSTGRESQL;

  /** The Jdbi attribute under which a store's handles carry their dialect. */
  static final String ATTRIBUTE = "agent-msg.dialect";

  /** The dialect of the store that opened {@code handle}. */
  static Dialect of(Handle handle) {
    Object dialect = handle.getConfig(SqlStatements.class).getAttribute(ATTRIBUTE);
    return dialect instanceof Dialect known ? known : H2;
  }

  /** The dialect of a JDBC URL: PostgreSQL for {@code jdbc:postgresql:}, else H2. */
  public static Dialect ofUrl(String jdbcUrl) {
    return jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:") ? POSTGRESQL : H2;
  }

  /**
   * An insert of one row that does nothing when a row with the same key exists, safe against
   * concurrent inserts of the same key: H2's {@code MERGE ... KEY} or PostgreSQL's {@code ON
   * CONFLICT DO NOTHING}. {@code values} is the {@code VALUES (...)} list.
   */
  String insertIfAbsent(String table, String columns, String key, String values) {
    return switch (this) {
      case H2 ->
          "MERGE INTO " + table + " (" + columns + ") KEY (" + key + ") VALUES (" + values + ")";
      case POSTGRESQL ->
          "INSERT INTO "
              + table
              + " ("
              + columns
              + ") VALUES ("
              + values
              + ") ON CONFLICT ("
              + key
              + ") DO NOTHING";
    };
  }

  /**
   * An insert of one row that replaces the row with the same key: H2's {@code MERGE ... KEY} or
   * PostgreSQL's {@code ON CONFLICT DO UPDATE} of every column in {@code update}.
   */
  String upsert(String table, String columns, String key, String values, String... update) {
    return switch (this) {
      case H2 ->
          "MERGE INTO " + table + " (" + columns + ") KEY (" + key + ") VALUES (" + values + ")";
      case POSTGRESQL -> {
        StringBuilder sql =
            new StringBuilder("INSERT INTO ")
                .append(table)
                .append(" (")
                .append(columns)
                .append(") VALUES (")
                .append(values)
                .append(") ON CONFLICT (")
                .append(key)
                .append(") DO UPDATE SET ");
        for (int i = 0; i < update.length; i++) {
          sql.append(i == 0 ? "" : ", ").append(update[i]).append(" = EXCLUDED.").append(update[i]);
        }
        yield sql.toString();
      }
    };
  }

  /**
   * The names of generated columns to ask the driver for: H2 folds unquoted names to upper case,
   * PostgreSQL to lower case, and both drivers quote what they are given.
   */
  String[] columnNames(String... names) {
    String[] folded = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      folded[i] =
          this == H2
              ? names[i].toUpperCase(java.util.Locale.ROOT)
              : names[i].toLowerCase(java.util.Locale.ROOT);
    }
    return folded;
  }
}
