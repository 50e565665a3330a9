package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm.Result;
import agentmsg.testing.InProcessCli;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's behaviour, run in this JVM against a real store in a temporary home. */
class CliTest {
  @TempDir Path scratch;
  private Path home;
  private InProcessCli cli;

  @AfterEach
  void stopHosts() {
    InProcessCli.stopHosts();
  }

  @BeforeEach
  void registerTwoAgents() {
    home = scratch.resolve("home");
    cli = new InProcessCli(home);
    assertThat(cli.run("register", "alice", "-t", "claude-code").stdout())
        .isEqualTo("Registered alice (claude-code)");
    assertThat(cli.run("register", "bob", "-t", "codex").exitCode()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"register", "list", "send", "inbox", "poll", "wait", "demo"})
  void everyCommandHasHelp(String command) {
    Result help = cli.run(command, "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout()).startsWith("usage: agent-msg " + command).contains("--json");
  }

  @Test
  void everyListedCommandIsMadeByItsOwnName() {
    for (String name : Main.COMMANDS) {
      assertThat(Main.command(name)).as(name).isNotNull();
      assertThat(Main.command(name).name()).isEqualTo(name);
    }
    assertThat(Main.command("no-such-command")).isNull();
  }

  @Test
  void overviewVersionAndUnknownCommands() {
    assertThat(cli.run("--help").stdout()).contains("Commands:", "send <to> <message|->");
    assertThat(cli.run().exitCode()).isEqualTo(2);
    assertThat(cli.run("--version").stdout()).matches("agent-msg \\S+");
    Result unknown = cli.run("sned", "bob", "hi");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.stderr())
        .isEqualTo("error[usage]: unknown command 'sned' (see: agent-msg --help)");
  }

  @Test
  void mcpWithAServerUrlRefusesAnAgentTypeAndABadUrlAsUsageErrors() {
    Result typed = cli.run("mcp", "--agent", "bob", "-u", "ws://127.0.0.1:1", "-t", "codex");
    assertThat(typed.exitCode()).isEqualTo(2);
    assertThat(typed.stderr()).startsWith("error[usage]: --type cannot be set through a server");
    Result badUrl = cli.run("mcp", "--agent", "bob", "-u", "http://127.0.0.1:1");
    assertThat(badUrl.exitCode()).isEqualTo(2);
    assertThat(badUrl.stderr()).contains("must start with ws:// or wss://");
  }

  @Test
  void sendPrintsTheIdAndInboxShowsUnreadOnceThenHistoryWithAll() {
    Result sent = cli.run("send", "bob", "can you run the tests?", "-s", "alice");
    assertThat(sent.exitCode()).isZero();
    assertThat(sent.stdout()).matches("Message [0-9A-Z]{26} sent to bob");
    String id = sent.stdout().split(" ")[1];

    Result inbox = cli.run("inbox", "bob");
    assertThat(inbox.stdout())
        .startsWith("1 new message for bob:")
        .contains("from alice (id " + id + "):", "can you run the tests?");
    assertThat(cli.run("inbox", "bob").stdout()).isEqualTo("No new messages for bob.");

    Result all = cli.run("inbox", "bob", "--all");
    assertThat(all.stdout()).contains("1 message for bob:", "(id " + id + ", read):");
  }

  @Test
  void jsonLinesCarryTheOriginalFieldNamesAndTheState() {
    cli.run("send", "bob", "one", "-s", "alice");
    cli.run("send", "bob", "two", "-s", "alice");
    String[] lines = cli.run("inbox", "bob", "--json").stdout().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0])
        .startsWith("{\"id\":\"")
        .contains(
            "\"from\":\"alice\"",
            "\"to\":\"bob\"",
            "\"message\":\"one\"",
            "\"status\":\"read\"",
            "\"readAt\":\"20")
        .containsPattern("\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\"");
    assertThat(cli.run("list", "--json").stdout().split("\n"))
        .hasSize(2)
        .allSatisfy(
            line ->
                assertThat(line)
                    .contains("\"name\"", "\"type\"", "\"registeredAt\"", "\"lastSeenAt\""));
    assertThat(cli.run("send", "bob", "three", "-s", "alice", "--json").stdout())
        .contains("\"status\":\"stored\"", "\"message\":\"three\"");
  }

  @Test
  void listShowsTypesAndTimes() {
    String list = cli.run("list").stdout();
    assertThat(list.split("\n")).hasSize(3);
    assertThat(list).startsWith("NAME").contains("alice  claude-code", "bob    codex");
  }

  @Test
  void reRegisteringUpdatesTheTypeAndKeepsMessages() {
    cli.run("send", "bob", "kept", "-s", "alice");
    assertThat(cli.run("register", "bob", "-t", "openclaw").stdout())
        .isEqualTo("Updated bob (openclaw); messages kept");
    assertThat(cli.run("register", "bob").stdout())
        .isEqualTo("Updated bob (openclaw); messages kept");
    assertThat(cli.run("inbox", "bob").stdout()).contains("kept");
  }

  @Test
  void messageFromStandardInputKeepsLinesAndUnicode() {
    String body = "line one\nzwei: Grüße\n三\n";
    assertThat(cli.runWithInput(body, "send", "bob", "-", "-s", "alice").exitCode()).isZero();
    assertThat(cli.run("inbox", "bob", "--json").stdout())
        .contains("\"message\":\"line one\\nzwei: Grüße\\n三\\n\"");
  }

  @Test
  void aMessageStartingWithADashGoesAfterDoubleDash() {
    assertThat(cli.run("send", "bob", "-s", "alice", "--", "-1 is wrong").exitCode()).isZero();
    assertThat(cli.run("inbox", "bob").stdout()).contains("-1 is wrong");
  }

  @Test
  void badInputFailsWithOneLineAndTheRightCodeAndChangesNothing() {
    assertError(
        cli.run("send", "nobody", "hi", "-s", "alice"),
        1,
        "error[unknown-agent]: no agent named 'nobody' (see: agent-msg list)");
    assertError(
        cli.run("send", "bob", "", "-s", "alice"), 2, "error[empty-message]: the message is empty");
    assertError(cli.runWithInput("", "send", "bob", "-", "-s", "alice"), 2, "error[empty-message]");
    assertError(cli.run("send", "bob"), 2, "error[usage]: missing message");
    assertError(cli.run("send"), 2, "error[usage]: missing recipient");
    assertError(
        cli.run("send", "bob", "a", "b", "-s", "alice"),
        2,
        "error[usage]: unexpected argument 'b'");
    assertError(cli.run("send", "../etc", "hi", "-s", "alice"), 2, "error[invalid-name]");
    assertError(cli.run("send", "@../x", "hi", "-s", "alice", "-w"), 2, "error[invalid-name]");
    assertError(cli.run("send", "bob", "hi", "-s", ".hidden"), 2, "error[invalid-name]");
    assertError(cli.run("register", "../x"), 2, "error[invalid-name]: invalid agent name '../x'");
    assertError(cli.run("register", ""), 2, "error[invalid-name]");
    assertError(
        cli.run("register", "carol", "-t", "robot"), 2, "error[usage]: unknown agent type 'robot'");
    assertError(cli.run("inbox", "nobody"), 1, "error[unknown-agent]");
    assertError(
        cli.run("inbox", "bob", "--bogus"), 2, "error[usage]: Unrecognized option: --bogus");
    assertError(
        cli.run("wait", "bob", "--timeout", "soon"), 2, "error[usage]: --timeout takes a number");
    assertError(cli.run("poll", "bob", "-i", "0"), 2, "error[usage]: --interval must be between");

    assertThat(cli.run("inbox", "bob", "--all").stdout()).isEqualTo("No messages for bob.");
    assertThat(cli.run("list").stdout().split("\n")).hasSize(3);
    assertThat(home.resolve("inbox/carol")).doesNotExist();
    assertThat(home.getParent().resolve("x")).doesNotExist();
  }

  @Test
  void waitReturnsUnreadAtOnceAndExitsThreeOnTimeout() {
    Result timedOut = cli.run("wait", "bob", "--timeout", "0.2");
    assertThat(timedOut.exitCode()).isEqualTo(3);
    assertThat(timedOut.stdout()).isEmpty();
    assertThat(timedOut.stderr()).isEqualTo("No message for bob within 200 ms.");

    cli.run("send", "bob", "waiting for you", "-s", "alice");
    Result woke = cli.run("wait", "bob", "--timeout", "5");
    assertThat(woke.exitCode()).isZero();
    assertThat(woke.stdout()).contains("from alice", "waiting for you");
    assertThat(cli.run("wait", "bob", "--timeout", "0").exitCode()).isEqualTo(3);
  }

  @Test
  void identityComesFromFromThenTheEnvironmentThenTheHostName() {
    cli.run("register", "test-host");
    cli.run("send", "test-host", "to the host", "-s", "alice");
    assertThat(cli.run("inbox").stdout()).contains("to the host");
    assertThat(cli.run("send", "alice", "from the host").exitCode()).isZero();
    assertThat(cli.run("inbox", "alice", "--json").stdout()).contains("\"from\":\"test-host\"");
  }

  @Test
  void aForeignFileIsImportedAndAMalformedOneIsSetAsideWithoutBreakingInbox() throws Exception {
    java.nio.file.Files.writeString(
        home.resolve("inbox/bob/legacy-1.json"),
        "{\"id\":\"legacy-1\",\"from\":\"old-tool\",\"to\":\"bob\",\"message\":\"from the old tool\","
            + "\"timestamp\":\"2026-01-01T00:00:00.000Z\"}");
    Path broken = home.resolve("inbox/bob/broken.json");
    java.nio.file.Files.writeString(broken, "not json at all");
    java.nio.file.Files.setLastModifiedTime(
        broken, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));

    Result inbox = cli.run("inbox", "bob");
    assertThat(inbox.exitCode()).isZero();
    assertThat(inbox.stdout()).contains("from old-tool (id legacy-1):", "from the old tool");
    assertThat(inbox.stderr())
        .startsWith("warning: rejected")
        .contains("broken.json", "not valid JSON");
    assertThat(home.resolve("rejected/bob/broken.json.reason")).exists();
    assertThat(cli.run("inbox", "bob").stdout()).isEqualTo("No new messages for bob.");
  }

  @Test
  void demoExchangesMessagesAndReportsTheWakeUpTime() {
    Result demo = cli.run("demo", "--rounds", "5");
    assertThat(demo.exitCode()).as(demo.toString()).isZero();
    assertThat(demo.stdout())
        .contains("alice -> bob", "woke bob in", "over 5 messages", "median", "none deleted");
  }

  private static void assertError(Result result, int exitCode, String stderrStart) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
    assertThat(result.stdout()).as(result.toString()).isEmpty();
    assertThat(result.stderr()).as(result.toString()).startsWith(stderrStart).doesNotContain("\n");
  }
}
