package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
  private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__.+\\.sql");

  @TempDir Path home;

  @Test
  void latestVersionMatchesTheNewestFileInMigrations() throws Exception {
    int newest;
    try (Stream<Path> files = Files.list(Path.of("migrations"))) {
      newest =
          files
              .map(file -> VERSIONED.matcher(file.getFileName().toString()))
              .filter(Matcher::matches)
              .mapToInt(matcher -> Integer.parseInt(matcher.group(1)))
              .max()
              .orElseThrow();
    }
    assertThat(Migrations.LATEST_VERSION).isEqualTo(newest);
  }

  @Test
  void aNewStoreIsMigratedOnFirstUseAndCurrentAfterwards() {
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      boolean current = store.call(Migrations::isCurrent);
      assertThat(current).isTrue();
      int tables =
          store.call(
              handle ->
                  handle
                      .createQuery(
                          "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES"
                              + " WHERE TABLE_NAME IN ('AGENT', 'MESSAGE')")
                      .mapTo(Integer.class)
                      .one());
      assertThat(tables).isEqualTo(2);
    }
    assertThat(home.resolve(Store.FILE_NAME + ".mv.db")).exists();
  }

  @Test
  void reopeningACurrentStoreRunsNoMigration() {
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      store.run(handle -> handle.execute("SELECT 1"));
    }
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      int applied =
          store.call(
              handle ->
                  handle
                      .createQuery(
                          "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL")
                      .mapTo(Integer.class)
                      .one());
      assertThat(applied).isEqualTo(Migrations.LATEST_VERSION);
    }
  }
}
