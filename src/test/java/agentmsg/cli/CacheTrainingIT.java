package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workloads {@code bin/agent-msg} records its start-up caches with, run as the launcher runs
 * them (a JVM of their own, an empty scratch home): every step must do what it expects, or the
 * launcher marks the cache failed and every call runs without one.
 */
class CacheTrainingIT {
  @TempDir Path scratch;

  @Test
  void theEverydayWorkloadRunsEveryStepAsExpected() {
    ChildJvm.Result result = train(scratch.resolve("home"));
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stderr()).doesNotContain("training step");
  }

  @Test
  void theServerWorkloadTalksToAServerInAnotherProcessAndStopsIt() throws Exception {
    Path home = scratch.resolve("home");
    ChildJvm.Result result = train(home, "--wire");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stderr()).doesNotContain("training step");
    // It stored what it sent through the server, and left no server behind (which would hold the
    // database: a file-mode call would then be a client of it).
    ChildJvm.Result history = ChildJvm.run(home, "inbox", "bob", "--all", "--json");
    assertThat(history.exitCode()).as(history.toString()).isZero();
    assertThat(history.stdout()).contains("\"from\":\"alice\"").contains("\"message\":\"hi\"");
    assertThat(Files.exists(home.resolve("agent-msg.lock.db")))
        .as("the server's database lock file")
        .isFalse();
  }

  private static ChildJvm.Result train(Path home, String... mode) {
    String[] args = new String[mode.length + 1];
    System.arraycopy(mode, 0, args, 0, mode.length);
    args[mode.length] = home.toString();
    try (ChildJvm training = ChildJvm.start(CacheTraining.class.getName(), home, Map.of(), args)) {
      return training.awaitExit(120);
    }
  }
}
