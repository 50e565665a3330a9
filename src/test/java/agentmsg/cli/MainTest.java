package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.InvalidAgentNameException;
import agentmsg.Priority;
import agentmsg.UnknownAgentException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link Main} reports what a command throws: its code, its exit status, one line. */
class MainTest {
  @TempDir Path home;

  /** What one run printed and returned. */
  private record Outcome(int exitCode, String stdout, String stderr) {}

  /** A command that only runs {@code body}. */
  private static final class Stub extends Command {
    private final Body body;

    Stub(Body body) {
      this.body = body;
    }

    @Override
    String name() {
      return "stub";
    }

    @Override
    String arguments() {
      return "";
    }

    @Override
    String summary() {
      return "a command of this test";
    }

    @Override
    Options options() {
      return new Options();
    }

    @Override
    int run(Invocation invocation) throws Exception {
      return body.run(invocation);
    }
  }

  @FunctionalInterface
  private interface Body {
    int run(Invocation invocation) throws Exception;
  }

  private Outcome run(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new Stub(body),
            new String[0],
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of("AGENT_MSG_HOME", home.toString()),
            home);
    return new Outcome(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8).strip());
  }

  private Outcome cli(Map<String, String> extraEnv, String... args) {
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("AGENT_MSG_HOME", home.toString());
    env.put("HOSTNAME", "test-host");
    env.putIfAbsent("AGENT_MSG_STORE_HOST", "off");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env,
            home,
            args);
    return new Outcome(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8).strip());
  }

  private static void assertOneLine(Outcome outcome, int exitCode, String stderr) {
    assertThat(outcome.exitCode()).as(outcome.toString()).isEqualTo(exitCode);
    assertThat(outcome.stderr()).as(outcome.toString()).isEqualTo(stderr);
  }

  @Test
  void anUnexpectedIllegalArgumentExceptionIsAnInternalErrorNotAUsageError() {
    Outcome bug =
        run(
            invocation -> {
              throw new IllegalArgumentException("a bug, not the user's fault");
            });
    assertOneLine(
        bug,
        1,
        "error[internal]: stub failed: java.lang.IllegalArgumentException:"
            + " a bug, not the user's fault");
  }

  @Test
  void aUsageExceptionIsAUsageErrorPointingAtTheHelp() {
    Outcome usage =
        run(
            invocation -> {
              throw new UsageException("missing recipient");
            });
    assertOneLine(usage, 2, "error[usage]: missing recipient (see: agent-msg stub --help)");
  }

  @Test
  void aNamedExceptionExitsWithTheStatusOfItsCatalogueCode() {
    Outcome invalid =
        run(
            invocation -> {
              throw new InvalidAgentNameException("../x");
            });
    assertThat(invalid.exitCode()).isEqualTo(2);
    assertThat(invalid.stderr()).startsWith("error[invalid-name]: invalid agent name '../x'");
    Outcome unknown =
        run(
            invocation -> {
              throw new UnknownAgentException("nobody");
            });
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.stderr()).startsWith("error[unknown-agent]").doesNotContain("\n");
  }

  @Test
  void aValueTheApiRejectsIsAUsageErrorWithTheApisMessage() {
    Outcome priority = run(invocation -> Invocation.userValue(() -> Priority.parse("asap")).rank());
    assertOneLine(
        priority,
        2,
        "error[usage]: unknown priority 'asap' (use low, normal, high or urgent)"
            + " (see: agent-msg stub --help)");
  }

  @Test
  void badValuesForTheServerBuilderAreUsageErrorsWithItsMessage() {
    assertOneLine(
        cli(Map.of(), "server", "--allow-origin", "https://app.example/path"),
        2,
        "error[usage]: --allow-origin takes scheme://host[:port] as a browser sends it (e.g."
            + " https://app.example.com), was 'https://app.example/path' (see: agent-msg server"
            + " --help)");
    assertOneLine(
        cli(Map.of(), "server", "--allow", "10.0.0.0/8,nope"),
        2,
        "error[usage]: --allow range 'nope' is not an IP address or CIDR (e.g. 10.0.0.0/8,"
            + " fd00::/8) (see: agent-msg server --help)");
    assertOneLine(
        cli(Map.of(), "server", "--port", "99999"),
        2,
        "error[usage]: --port must be between 0 and 65535, was 99999 (see: agent-msg server"
            + " --help)");
    assertOneLine(
        cli(Map.of(), "server", "--db", "jdbc:h2:/tmp/nope"),
        2,
        "error[usage]: --db takes a PostgreSQL JDBC URL"
            + " (jdbc:postgresql://host:port/database?user=...), not 'jdbc:h2:/tmp/nope'"
            + " (see: agent-msg server --help)");
    assertOneLine(
        cli(Map.of("AGENT_MSG_LOOP_LIMIT", "1"), "server"),
        2,
        "error[usage]: AGENT_MSG_LOOP_LIMIT must be 0 (off) or 2 to 1000000, was '1'"
            + " (see: agent-msg server --help)");
  }

  @Test
  void badEnvironmentValuesAndUnparsableArgumentsAreUsageErrors() {
    assertOneLine(
        cli(Map.of("AGENT_MSG_STORE_HOST", "maybe"), "list"),
        2,
        "error[usage]: AGENT_MSG_STORE_HOST must be on or off, was 'maybe'"
            + " (see: agent-msg list --help)");
    assertThat(cli(Map.of(), "register", "carol", "-t", "robot"))
        .satisfies(outcome -> assertThat(outcome.exitCode()).isEqualTo(2))
        .satisfies(
            outcome ->
                assertThat(outcome.stderr())
                    .startsWith("error[usage]: unknown agent type 'robot' (use one of: ")
                    .endsWith(" (see: agent-msg register --help)"));
    assertThat(cli(Map.of(), "register", "bob").exitCode()).isZero();
    assertOneLine(
        cli(Map.of(), "send", "bob", "hi", "-s", "alice", "--priority", "asap"),
        2,
        "error[usage]: unknown priority 'asap' (use low, normal, high or urgent)"
            + " (see: agent-msg send --help)");
    assertOneLine(
        cli(Map.of(), "history", "bob", "--grep", "a"),
        2,
        "error[usage]: the search text 'a' has no word of 2 or more letters or digits"
            + " (see: agent-msg history --help)");
    assertOneLine(
        cli(Map.of(), "server", "--tls-cert", "a\0b", "--tls-key", "k"),
        2,
        "error[usage]: Nul character not allowed: a\0b (see: agent-msg server --help)");
  }
}
