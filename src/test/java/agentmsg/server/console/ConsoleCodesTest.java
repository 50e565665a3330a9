package agentmsg.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleCodesTest {
  @TempDir Path home;

  @Test
  void aCodeIsRedeemedOnceWithinItsLifetime() {
    String code = ConsoleCodes.mint(home);
    long now = System.currentTimeMillis();
    assertThat(ConsoleCodes.redeem(home, code, now)).isTrue();
    assertThat(ConsoleCodes.redeem(home, code, now)).isFalse();
  }

  @Test
  void anExpiredCodeIsRefusedAndUsedUp() {
    String code = ConsoleCodes.mint(home);
    long later = System.currentTimeMillis() + ConsoleCodes.LIFETIME.toMillis() + 1_000;
    assertThat(ConsoleCodes.redeem(home, code, later)).isFalse();
    assertThat(ConsoleCodes.redeem(home, code, System.currentTimeMillis())).isFalse();
  }

  @Test
  void unknownAndMalformedCodesAreRefused() {
    ConsoleCodes.mint(home);
    assertThat(ConsoleCodes.redeem(home, "0".repeat(48), System.currentTimeMillis())).isFalse();
    assertThat(ConsoleCodes.redeem(home, "../../etc/passwd", System.currentTimeMillis())).isFalse();
    assertThat(ConsoleCodes.redeem(home, null, System.currentTimeMillis())).isFalse();
  }

  @Test
  void codesAreOwnerOnlyAndNamedByTheirHash() throws Exception {
    String code = ConsoleCodes.mint(home);
    Path folder = ConsoleCodes.folder(home);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)))
        .isEqualTo("rwx------");
    try (var files = Files.list(folder)) {
      Path file = files.findFirst().orElseThrow();
      assertThat(file.getFileName().toString())
          .isEqualTo(ConsoleCodes.hash(code))
          .isNotEqualTo(code);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
    }
  }
}
