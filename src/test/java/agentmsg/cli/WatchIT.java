package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm;
import agentmsg.testing.ChildJvm.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code watch} across processes: the armed watcher in one JVM, everything else in others. */
class WatchIT {
  @TempDir Path home;

  @Test
  void aSecondWatcherExits4AndTheArmedOneWakesOnASendFromAnotherProcess() throws Exception {
    assertThat(ChildJvm.run(home, "register", "alice").exitCode()).isZero();
    assertThat(ChildJvm.run(home, "register", "bob").exitCode()).isZero();
    try (ChildJvm armed = ChildJvm.cli(home, Map.of(), "watch", "bob", "--timeout", "120")) {
      awaitArmed(armed.pid());
      Result second = ChildJvm.run(home, "watch", "bob", "--timeout", "1");
      assertThat(second.exitCode()).as(second.toString()).isEqualTo(4);
      assertThat(second.stderr()).contains("is armed already (pid " + armed.pid() + ")");
      Result otherSession =
          ChildJvm.run(home, "watch", "bob", "--session", "s2", "--timeout", "0.2");
      assertThat(otherSession.exitCode()).as("another session has its own watcher").isEqualTo(3);

      assertThat(ChildJvm.run(home, "send", "bob", "your turn", "-s", "alice").exitCode()).isZero();
      Result woke = armed.awaitExit(60);
      assertThat(woke.exitCode()).as(woke.toString()).isZero();
      assertThat(woke.stdout()).contains("1 new message for bob from alice");
    }
    // Disarmed on exit; the mail it woke for does not wake the next one.
    assertThat(ChildJvm.run(home, "watch", "bob", "--timeout", "0.2").exitCode()).isEqualTo(3);
  }

  /**
   * Waits (bounded) until the watcher wrote its pid into its lock file, which it does once armed.
   */
  private void awaitArmed(long pid) throws Exception {
    Path lock = home.resolve(".host/watch/bob@default.lock");
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!(Files.exists(lock) && Files.readString(lock).strip().equals(String.valueOf(pid)))) {
      assertThat(Instant.now()).as("watcher armed in time").isBefore(deadline);
      Thread.onSpinWait();
    }
  }
}
