package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agentmsg.StoreUnavailableException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --db} URL: the password never shows, from the URL or from a file; a database that
 * never answered fails at once.
 */
class DatabaseTest {
  @TempDir Path dir;

  @Test
  void thePasswordInTheUrlIsMaskedWhereverTheUrlIsShown() {
    Database db =
        Database.parse("jdbc:postgresql://db:5432/agentmsg?user=am&password=s3cret&ssl=true", null);
    assertThat(db.toString())
        .doesNotContain("s3cret")
        .contains("password=***")
        .contains("ssl=true");
    assertThat(db.safeUrl()).isEqualTo(db.toString());
    assertThat(db.user()).isEqualTo("am");
    assertThat(Database.stripped("error at jdbc:postgresql://h/d?Password=x&user=u"))
        .doesNotContain("=x");
  }

  @Test
  void thePasswordFileGivesThePasswordAndIsNeverPrinted() throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, "from-file\nignored\n");
    Database db = Database.parse("jdbc:postgresql://db/agentmsg?user=am", file);
    assertThat(db.credentials().getProperty("password")).isEqualTo("from-file");
    assertThat(db.toString()).doesNotContain("from-file");
  }

  @Test
  void anythingButAPostgresqlUrlIsRefusedWithoutEchoingAPassword() {
    assertThatThrownBy(() -> Database.parse("jdbc:mysql://h/d?password=hunter2", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PostgreSQL JDBC URL")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> Database.parse("jdbc:postgresql://h/d", dir.resolve("missing")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read the database password file");
  }

  @Test
  void hintsSurviveTheirPayloadAndIgnoreAnythingElse() {
    ClusterHints.Hint stored =
        new ClusterHints.Hint(ClusterHints.Kind.STORED, "s1", "alice", 42, null);
    assertThat(ClusterHints.Hint.parse(stored.payload())).isEqualTo(stored);
    ClusterHints.Hint claimed =
        new ClusterHints.Hint(ClusterHints.Kind.CLAIMED, "s2", "bob", 7, "instance-1");
    assertThat(ClusterHints.Hint.parse(claimed.payload())).isEqualTo(claimed);
    ClusterHints.Hint delivered =
        new ClusterHints.Hint(
            ClusterHints.Kind.DELIVERED, "s2", "bob", 7, "01ABC", "a client id", "alice", 1234L);
    assertThat(ClusterHints.Hint.parse(delivered.payload())).isEqualTo(delivered);
    ClusterHints.Hint noClientId =
        new ClusterHints.Hint(ClusterHints.Kind.DELIVERED, "s2", "bob", 7, "01ABC", null, "al", 5L);
    assertThat(ClusterHints.Hint.parse(noClientId.payload())).isEqualTo(noClientId);
    assertThat(ClusterHints.Hint.parse("x s1 alice 1")).isNull();
    assertThat(ClusterHints.Hint.parse("m s1 alice notanumber")).isNull();
    assertThat(ClusterHints.Hint.parse("")).isNull();
    assertThat(ClusterHints.Hint.parse(null)).isNull();
  }

  @Test
  void upsertsAreWrittenInEachDialectsOwnWords() {
    assertThat(Dialect.H2.insertIfAbsent("t", "a, b", "a", ":a, :b"))
        .isEqualTo("MERGE INTO t (a, b) KEY (a) VALUES (:a, :b)");
    assertThat(Dialect.POSTGRESQL.insertIfAbsent("t", "a, b", "a", ":a, :b"))
        .isEqualTo("INSERT INTO t (a, b) VALUES (:a, :b) ON CONFLICT (a) DO NOTHING");
    assertThat(Dialect.POSTGRESQL.upsert("t", "a, b", "a", ":a, :b", "b"))
        .isEqualTo(
            "INSERT INTO t (a, b) VALUES (:a, :b) ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b");
    assertThat(Dialect.ofUrl("jdbc:postgresql://h/d")).isEqualTo(Dialect.POSTGRESQL);
    assertThat(Dialect.ofUrl("jdbc:h2:file:/x")).isEqualTo(Dialect.H2);
  }

  @Test
  void aDatabaseNeverReachedFailsAtOnceInsteadOfRetryingForTheTimeout() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Database db =
        Database.parse(
            "jdbc:postgresql://127.0.0.1:" + port + "/agentmsg?user=am&password=pw1", null);
    try (Store store =
        Store.open(dir, db, Duration.ofSeconds(3), Store.Mode.SHARED, ignored -> {})) {
      // Retried, it would end "stayed busy for 3 s" instead.
      assertThatThrownBy(() -> store.call(handle -> 1))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageStartingWith(
              "cannot connect to the database jdbc:postgresql://127.0.0.1:" + port)
          .hasMessageContaining("[08001]")
          .hasMessageNotContaining("pw1");
    }
  }
}
