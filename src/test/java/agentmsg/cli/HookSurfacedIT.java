package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "The model saw it": {@code hook} in its own JVM records {@code surfaced} only once its output
 * reached the CLI. A hook killed before it wrote, or one whose output pipe is gone, leaves the
 * message unsurfaced, and the next hook call shows it.
 */
class HookSurfacedIT {
  private static final String INPUT =
      "{\"session_id\":\"s1\",\"cwd\":\"/tmp\",\"hook_event_name\":\"UserPromptSubmit\","
          + "\"prompt\":\"go on\"}";

  @TempDir Path home;
  private String id;

  @BeforeEach
  void mailForBob() {
    assertThat(ChildJvm.run(home, "register", "bob").exitCode()).isZero();
    ChildJvm.Result sent =
        ChildJvm.run(home, "send", "bob", "can you run the tests?", "-s", "alice");
    assertThat(sent.exitCode()).as(sent.toString()).isZero();
    id = sent.stdout().replaceAll("(?s).*Message (\\S+) sent.*", "$1");
    assertThat(id).matches("[0-9A-Z]{26}");
  }

  private String surfacedAt() {
    ChildJvm.Result status = ChildJvm.run(home, "status", id, "--json");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    return status.stdout().replaceAll("(?s).*\"surfacedAt\":(null|\"[^\"]*\").*", "$1");
  }

  private static Process hook(Path home) throws IOException {
    return ChildJvm.builder("agentmsg.cli.Main", home, Map.of(), "hook", "--agent", "bob")
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** The hook reads its whole input before it writes anything, so a kill then beats the output. */
  @Test
  void aHookKilledBeforeItsOutputLeavesTheMessageToTheNextCall() throws Exception {
    Process killed = hook(home);
    killed.destroyForcibly();
    assertThat(killed.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(surfacedAt()).isEqualTo("null");

    ChildJvm.Result next = ChildJvm.runWithInput(home, INPUT, "hook", "--agent", "bob");
    assertThat(next.stdout()).contains("can you run the tests?", id);
    assertThat(surfacedAt()).isNotEqualTo("null");
  }

  @Test
  void aHookWhoseOutputCannotBeWrittenLeavesTheMessageUnsurfaced() throws Exception {
    Process orphaned = hook(home);
    // The reading end goes before the hook has its input, so every write of its output fails.
    orphaned.getInputStream().close();
    try (OutputStream in = orphaned.getOutputStream()) {
      in.write(INPUT.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(orphaned.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(orphaned.exitValue()).isZero();
    assertThat(surfacedAt()).isEqualTo("null");

    ChildJvm.Result next = ChildJvm.runWithInput(home, INPUT, "hook", "--agent", "bob");
    assertThat(next.stdout()).contains("can you run the tests?");
    assertThat(surfacedAt()).isNotEqualTo("null");
    assertThat(ChildJvm.runWithInput(home, INPUT, "hook", "--agent", "bob").stdout()).isEmpty();
  }
}
