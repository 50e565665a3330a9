package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Other users of the machine can neither read the data home nor log in to the database. */
class StoreAccessTest {
  @TempDir Path parent;

  @Test
  void aNewDataHomeIsPrivateAndTheDatabaseNeedsThePasswordFromIt() throws Exception {
    Path home = parent.resolve("home");
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      store.run(handle -> handle.execute("SELECT 1"));

      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home)))
          .isEqualTo("rwx------");
      Path passwordFile = home.resolve(DbPassword.FILE_NAME);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)))
          .isEqualTo("rw-------");
      String url = "jdbc:h2:file:" + home.resolve(Store.FILE_NAME) + ";AUTO_SERVER=TRUE";
      assertThatThrownBy(() -> DriverManager.getConnection(url, "sa", "").close())
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(28000));
      String password = Files.readString(passwordFile).trim();
      try (var connection = DriverManager.getConnection(url, "sa", password)) {
        assertThat(connection.isValid(1)).isTrue();
      }
    }
  }

  @Test
  void everyStoreOfAHomeSharesOnePassword() {
    Path home = parent.resolve("shared");
    try (Store first = Store.open(home, Duration.ofSeconds(10));
        Store second = Store.open(home, Duration.ofSeconds(10))) {
      first.run(handle -> handle.execute("SELECT 1"));
      second.run(handle -> handle.execute("SELECT 1"));
      assertThat(first.password()).isEqualTo(second.password()).hasSizeGreaterThan(20);
    }
  }
}
