package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agentmsg.StoreUnavailableException;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.PostgresServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migrations on a real PostgreSQL server ({@link PostgresServer}), against H2's schema. */
class PostgresMigrationsIT {
  private static final String URL_VARIABLE = "AGENT_MSG_TEST_PG_URL";

  @TempDir Path home;

  @Test
  void aFreshDatabaseIsMigratedToTheLatestVersionWithTheTablesAndColumnsOfH2() throws Exception {
    String url = PostgresServer.shared().newDatabase();

    assertThat(PostgresMigrations.ensureCurrent(url, new Properties())).isTrue();

    try (Connection connection = DriverManager.getConnection(url)) {
      assertThat(PostgresMigrations.isCurrent(connection)).isTrue();
      assertThat(
              query(
                  connection,
                  "SELECT MAX(CAST(version AS INT)) FROM flyway_schema_history WHERE success"))
          .containsExactly(String.valueOf(Migrations.LATEST_VERSION));
      TreeSet<String> postgres =
          new TreeSet<>(
              query(
                  connection,
                  "SELECT table_name || '.' || column_name || ' ' || is_nullable"
                      + " FROM information_schema.columns WHERE table_schema = current_schema()"));
      assertThat(postgres).isEqualTo(h2Columns()).contains("server_beat.id NO");
      // V10's TINYINT, the one type PostgreSQL lacks: the callback's domain over smallint.
      assertThat(
              query(
                  connection,
                  "SELECT domain_name || ' ' || data_type FROM information_schema.columns"
                      + " WHERE table_name = 'server_beat' AND column_name = 'id'"))
          .containsExactly("tinyint smallint");
    }
  }

  @Test
  void aSecondCallOnACurrentDatabaseMigratesNothing() throws Exception {
    String url = PostgresServer.shared().newDatabase();
    PostgresMigrations.ensureCurrent(url, new Properties());
    List<String> history;
    try (Connection connection = DriverManager.getConnection(url)) {
      history = historyRows(connection);
    }

    assertThat(PostgresMigrations.ensureCurrent(url, new Properties())).isFalse();

    try (Connection connection = DriverManager.getConnection(url)) {
      assertThat(historyRows(connection)).isEqualTo(history).hasSize(Migrations.LATEST_VERSION);
    }
  }

  @Test
  void twoProcessesMigratingOneEmptyDatabaseAtOnceBothSucceedAndEachVersionRunsOnce()
      throws Exception {
    String url = PostgresServer.shared().newDatabase();
    Map<String, String> env = Map.of(URL_VARIABLE, url);
    try (ChildJvm first = ChildJvm.start(Racer.class.getName(), home, env);
        ChildJvm second = ChildJvm.start(Racer.class.getName(), home, env)) {
      // Both JVMs loaded the driver and Flyway and wait on stdin: then both go at once.
      assertThat(first.nextLine(60)).as(first.stderrSoFar()).isEqualTo("ready");
      assertThat(second.nextLine(60)).as(second.stderrSoFar()).isEqualTo("ready");
      first.closeStdin();
      second.closeStdin();
      ChildJvm.Result firstResult = first.awaitExit(120);
      ChildJvm.Result secondResult = second.awaitExit(120);

      assertThat(firstResult.exitCode()).as(firstResult.toString()).isZero();
      assertThat(secondResult.exitCode()).as(secondResult.toString()).isZero();
      assertThat(List.of(firstResult.stdout(), secondResult.stdout()))
          .containsExactlyInAnyOrder("ready\nmigrated true", "ready\nmigrated false");
    }
    try (Connection connection = DriverManager.getConnection(url)) {
      assertThat(
              query(
                  connection,
                  "SELECT version || ' ' || COUNT(*) FROM flyway_schema_history"
                      + " WHERE version IS NOT NULL AND success"
                      + " GROUP BY version ORDER BY CAST(version AS INT)"))
          .containsExactlyElementsOf(
              IntStream.rangeClosed(1, Migrations.LATEST_VERSION)
                  .mapToObj(version -> version + " 1")
                  .toList());
    }
  }

  @Test
  void aWrongPasswordFailsWithOneLineThatNamesTheCauseButNotThePassword() {
    PostgresServer server = PostgresServer.shared();
    String url = server.newDatabase();
    String wrong = "wrong-" + Long.toHexString(System.nanoTime());
    String inUrl = url.replace("password=" + server.password(), "password=" + wrong);
    Properties inProperties = new Properties();
    inProperties.setProperty("password", wrong);

    for (Runnable migration :
        List.<Runnable>of(
            () -> PostgresMigrations.ensureCurrent(inUrl, new Properties()),
            () -> PostgresMigrations.ensureCurrent(url, inProperties))) {
      assertThatThrownBy(migration::run)
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageStartingWith("cannot connect to the PostgreSQL database jdbc:postgresql://")
          .hasMessageContaining("as " + server.user() + ": ")
          .hasMessageContaining("password authentication failed")
          .hasMessageContaining("check the user and the password")
          .hasMessageNotContaining(wrong)
          .hasMessageNotContaining(server.password())
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void anUnreachableServerFailsWithOneLineThatSaysWhatToCheck() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/agentmsg?password=secret-1";

    assertThatThrownBy(() -> PostgresMigrations.ensureCurrent(url, new Properties()))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("jdbc:postgresql://127.0.0.1:" + closedPort + "/agentmsg: ")
        .hasMessageContaining("refused")
        .hasMessageContaining("check the host and the port")
        .hasMessageNotContaining("secret-1")
        .hasMessageNotContaining("\n");
  }

  /** H2's tables and columns, migrated from the same files, in PostgreSQL's lower case. */
  private TreeSet<String> h2Columns() {
    try (Store store = Store.open(home, Duration.ofSeconds(5))) {
      return store.call(
          handle ->
              new TreeSet<>(
                  handle
                      .createQuery(
                          "SELECT LOWER(TABLE_NAME) || '.' || LOWER(COLUMN_NAME) || ' ' || IS_NULLABLE"
                              + " FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'PUBLIC'")
                      .mapTo(String.class)
                      .list()));
    }
  }

  private static List<String> historyRows(Connection connection) throws SQLException {
    return query(
        connection,
        "SELECT installed_rank || ' ' || version || ' ' || checksum || ' ' || installed_on"
            + " FROM flyway_schema_history ORDER BY installed_rank");
  }

  private static List<String> query(Connection connection, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      while (result.next()) {
        rows.add(result.getString(1));
      }
    }
    return rows;
  }

  /**
   * The second JVM of the race: prints {@code ready} once the driver and Flyway are loaded, waits
   * for the end of its stdin, migrates the database at {@code $AGENT_MSG_TEST_PG_URL}, and prints
   * whether it was the one that migrated.
   */
  static final class Racer {
    private Racer() {}

    public static void main(String[] args) throws Exception {
      String url = System.getenv(URL_VARIABLE);
      DriverManager.getDrivers();
      Class.forName("org.flywaydb.core.Flyway");
      System.out.println("ready");
      System.out.flush();
      try (BufferedReader stdin =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        while (stdin.readLine() != null) {
          // Waiting for the end of stdin: the test's start signal.
        }
      }
      boolean migrated = PostgresMigrations.ensureCurrent(url, new Properties());
      System.out.println("migrated " + migrated);
    }
  }
}
