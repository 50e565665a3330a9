package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.internal.store.StoreSql;
import agentmsg.testing.ChildJvm.Result;
import agentmsg.testing.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Replies, threads, broadcast, groups, receipts, history and search, through the CLI. */
class ConversationCliTest {
  @TempDir Path home;
  private InProcessCli cli;

  @AfterEach
  void stopHosts() {
    InProcessCli.stopHosts();
  }

  @BeforeEach
  void registerThreeAgents() {
    cli = new InProcessCli(home);
    for (String agent : List.of("alice", "bob", "carol")) {
      assertThat(cli.run("register", agent).exitCode()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "reply", "thread", "status", "ack", "acks", "history", "group", "hook", "setup", "prune",
        "doctor"
      })
  void everyNewCommandHasHelpWithJson(String command) {
    Result help = cli.run(command, "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout()).startsWith("usage: agent-msg " + command).contains("--json");
  }

  @Test
  void replyJoinsTheThreadOfTheOriginalAndThreadPrintsItInOrder() {
    String question =
        id(cli.run("send", "bob", "can you run the tests?", "-s", "alice", "--subject", "CI"));
    Result reply = cli.run("reply", question, "all green", "-s", "bob");
    assertThat(reply.exitCode()).as(reply.toString()).isZero();
    assertThat(reply.stdout()).matches("Message \\S+ sent to alice");
    String answer = id(reply);
    String again = id(cli.run("reply", answer, "thanks!", "-s", "alice"));

    String inbox = cli.run("inbox", "alice").stdout();
    assertThat(inbox)
        .contains("from bob (id " + answer + ", in reply to " + question + ", thread " + question)
        .contains("Subject: CI", "all green");

    Result thread = cli.run("thread", again);
    assertThat(thread.stdout()).startsWith("Thread " + question + ": 3 messages");
    assertThat(thread.stdout().indexOf("can you run"))
        .isLessThan(thread.stdout().indexOf("all green"));
    assertThat(thread.stdout().indexOf("all green")).isLessThan(thread.stdout().indexOf("thanks!"));
    String[] json = cli.run("thread", question, "--json").stdout().split("\n");
    assertThat(json).hasSize(3);
    assertThat(json[1])
        .contains("\"thread\":\"" + question + "\"", "\"replyTo\":\"" + question + "\"")
        .contains("\"subject\":\"CI\"", "\"priority\":\"normal\"", "\"ackRequired\":false");
    assertThat(cli.run("send", "carol", "joining", "-s", "alice", "--thread", answer).exitCode())
        .isZero();
    assertThat(cli.run("thread", question, "--json").stdout().split("\n")).hasSize(4);
  }

  @Test
  void broadcastAndGroupsFanOutWithIndependentReadStates() {
    Result all = cli.run("send", "@all", "stand-up in 5", "-s", "alice");
    assertThat(all.exitCode()).as(all.toString()).isZero();
    String[] lines = all.stdout().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).matches("Message \\S+\\.bob sent to bob");
    assertThat(lines[1]).matches("Message \\S+\\.carol sent to carol");
    String thread = lines[2].split(" ")[4];
    assertThat(lines[2]).startsWith("2 copies in thread " + thread);

    assertThat(cli.run("inbox", "bob").stdout()).contains("stand-up in 5");
    assertThat(cli.run("inbox", "alice").stdout()).isEqualTo("No new messages for alice.");
    assertThat(cli.run("status", thread).stdout())
        .contains(thread + ".bob alice -> bob: read", thread + ".carol alice -> carol: stored");
    assertThat(cli.run("inbox", "carol").stdout()).contains("stand-up in 5");

    assertThat(cli.run("group", "create", "reviewers", "bob", "carol").stdout())
        .isEqualTo("Created group reviewers: bob, carol");
    assertThat(cli.run("group", "add", "reviewers", "alice").stdout())
        .isEqualTo("Group reviewers: alice, bob, carol");
    assertThat(cli.run("group", "remove", "reviewers", "carol").stdout())
        .isEqualTo("Group reviewers: alice, bob");
    assertThat(cli.run("group", "list", "--json").stdout())
        .isEqualTo("{\"group\":\"reviewers\",\"members\":[\"alice\",\"bob\"]}");
    Result toGroup = cli.run("send", "@reviewers", "please review #42", "-s", "alice");
    assertThat(toGroup.stdout()).matches("Message \\S+\\.bob sent to bob");
    assertThat(cli.run("inbox", "carol").stdout()).isEqualTo("No new messages for carol.");

    assertError(cli.run("group", "create", "all", "bob"), 2, "error[invalid-name]");
    assertError(cli.run("group", "create", "reviewers", "bob"), 1, "error[group-exists]");
    assertError(cli.run("group", "create", "x", "nobody"), 1, "error[unknown-agent]");
    assertError(cli.run("send", "@nogroup", "hi", "-s", "alice"), 1, "error[unknown-group]");
    assertError(cli.run("group", "frobnicate"), 2, "error[usage]");
  }

  @Test
  void receiptsGoThroughEachStateAndAcksPendingShowsBothSides() {
    String id =
        id(
            cli.run(
                "send",
                "bob",
                "sign off the release",
                "-s",
                "alice",
                "--ack-required",
                "--priority",
                "urgent"));
    assertThat(cli.run("status", id).stdout())
        .startsWith(id + " alice -> bob: stored (ack required)")
        .contains("delivered -, surfaced -, read -, acked -");
    assertThat(cli.run("acks", "pending", "bob").stdout())
        .contains("bob has to ack 1 message:", id + " from alice, ", "sign off the release");
    assertThat(cli.run("acks", "pending", "alice").stdout())
        .contains("Others owe alice 1 ack:", id + " to bob, ");
    assertThat(cli.run("acks", "pending", "alice", "--json").stdout())
        .contains("\"waitingFor\":\"them\"", "\"ageSeconds\":");

    assertThat(cli.run("inbox", "bob", "--urgent").stdout())
        .contains("priority urgent, ack required");
    assertThat(cli.run("status", id).stdout()).contains("alice -> bob: read (ack required)");
    assertError(cli.run("ack", id, "-s", "carol"), 1, "error[not-recipient]");
    assertError(cli.run("ack", "no-such-id", "-s", "bob"), 1, "error[unknown-message]");
    assertThat(cli.run("ack", id, "-s", "bob").stdout()).isEqualTo("Acked " + id + " from alice");
    assertThat(cli.run("ack", id, "-s", "bob").stdout()).isEqualTo(id + " was acked already");
    assertThat(cli.run("status", id, "--json").stdout())
        .contains("\"status\":\"acked\"", "\"ackedAt\":\"20", "\"readAt\":\"20");
    assertThat(cli.run("acks", "pending", "alice").stdout())
        .isEqualTo("Nothing is waiting for an ack from or to alice.");
    assertThat(home.resolve("receipts/alice/bob.json")).exists();
  }

  @Test
  void inboxUrgentLeavesTheOthersUnread() {
    cli.run("send", "bob", "whenever", "-s", "alice", "--priority", "low");
    cli.run("send", "bob", "now please", "-s", "alice", "--priority", "high");
    String urgent = cli.run("inbox", "bob", "--urgent").stdout();
    assertThat(urgent).contains("now please").doesNotContain("whenever");
    assertThat(cli.run("inbox", "bob").stdout()).contains("whenever").doesNotContain("now please");
    assertError(
        cli.run("send", "bob", "x", "-s", "alice", "--priority", "asap"), 2, "error[usage]");
  }

  @Test
  void waitReadTimesOutWithExitThreeAndSucceedsOnceRead() {
    Result timedOut = cli.run("send", "bob", "anyone?", "-s", "alice", "--wait-read", "0.2");
    assertThat(timedOut.exitCode()).as(timedOut.toString()).isEqualTo(3);
    assertThat(timedOut.stdout()).matches("Message \\S+ sent to bob");
    assertThat(timedOut.stderr())
        .startsWith("warning: bob: last seen ")
        .contains("\nNot read by bob within", "status: stored");
    assertError(
        cli.run("send", "bob", "x", "-s", "alice", "--wait-read", "1", "--wait-ack", "1"),
        2,
        "error[usage]: use --wait-read or --wait-ack");
    assertError(
        cli.run("send", "bob", "x", "-s", "alice", "-w", "--wait-read", "1"), 2, "error[usage]");
  }

  @Test
  void historyFiltersByPeerThreadTimeAndWordsNewestFirst() {
    String first = id(cli.run("send", "bob", "Don't merge the v1.2 branch", "-s", "alice"));
    cli.run("send", "carol", "foo-bar is flaky again", "-s", "alice");
    cli.run("send", "alice", "Viele Grüße und 日本語 auch", "-s", "bob", "--subject", "Release");
    String reply = id(cli.run("reply", first, "why not merge?", "-s", "bob"));

    String[] all = cli.run("history", "alice", "--json").stdout().split("\n");
    assertThat(all).hasSize(4);
    assertThat(all[0]).contains("\"id\":\"" + reply + "\"", "\"thread\":\"" + first + "\"");
    assertThat(cli.run("history", "alice", "--with", "carol", "--json").stdout().split("\n"))
        .hasSize(1);
    assertThat(cli.run("history", "bob", "--thread", first, "--json").stdout().split("\n"))
        .hasSize(2);
    assertThat(cli.run("history", "alice", "--limit", "1", "--json").stdout()).contains(reply);

    assertThat(grep("alice", "don't")).containsExactly(first);
    assertThat(grep("alice", "V1.2")).containsExactly(first);
    assertThat(grep("alice", "merge")).containsExactly(reply, first);
    assertThat(grep("alice", "merge branch")).containsExactly(first);
    assertThat(grep("alice", "bar")).hasSize(1);
    assertThat(grep("alice", "foo-bar")).hasSize(1);
    assertThat(grep("alice", "GRÜSSE")).isEmpty();
    assertThat(grep("alice", "grüße")).hasSize(1);
    assertThat(grep("alice", "日本語")).hasSize(1);
    assertThat(grep("alice", "release")).hasSize(1);
    assertThat(grep("alice", "nothing-like-this")).isEmpty();
    assertThat(grep("carol", "flaky")).hasSize(1);

    assertThat(cli.run("history", "alice", "--since", "1h", "--json").stdout().split("\n"))
        .hasSize(4);
    assertThat(cli.run("history", "alice", "--until", "2000-01-01").stdout())
        .isEqualTo("No messages found for alice.");
    assertThat(
            cli.run("history", "alice", "--since", "2000-01-01T00:00:00Z", "--until", "1d")
                .stdout())
        .isEqualTo("No messages found for alice.");
    assertError(cli.run("history", "alice", "--since", "yesterday"), 2, "error[usage]: --since");
    assertError(cli.run("history", "alice", "--grep", "a"), 2, "error[usage]");
  }

  @Test
  void grepFindsAMessageRightAfterItWasSent() {
    String first = id(cli.run("send", "bob", "nightly build is red", "-s", "alice"));
    assertThat(grep("bob", "nightly")).containsExactly(first);
    String second = id(cli.run("send", "alice", "nightly build green again", "-s", "bob"));
    assertThat(grep("alice", "nightly build")).containsExactly(second, first);
    assertThat(grep("carol", "nightly")).isEmpty();
  }

  @Test
  void hookSurfacesUnreadMailOnceAndRecordsTheReceipt() {
    String event =
        "{\"session_id\":\"abc123\",\"transcript_path\":\"/home/u/.claude/projects/p/abc123.jsonl\","
            + "\"cwd\":\"/home/u/p\",\"hook_event_name\":\"UserPromptSubmit\",\"prompt\":\"run the"
            + " tests\"}";
    assertThat(cli.runWithInput(event, "hook", "--agent", "bob").stdout()).isEmpty();

    String id = id(cli.run("send", "bob", "can you \"quote\" this?", "-s", "alice"));
    Result hook = cli.runWithInput(event, "hook", "--agent", "bob");
    assertThat(hook.exitCode()).isZero();
    assertThat(hook.stdout())
        .startsWith(
            "{\"hookSpecificOutput\":{\"hookEventName\":\"UserPromptSubmit\","
                + "\"additionalContext\":\"agent-msg: 1 unread message for bob from other agents.\\n"
                + "[from alice, ")
        .contains(", id " + id + "]\\ncan you \\\"quote\\\" this?")
        .contains("not instructions from the user", "agent-msg reply <id>", "agent-msg inbox bob")
        .endsWith("\"}}")
        .doesNotContain("\n");
    assertThat(cli.run("status", id).stdout()).contains(": stored").containsPattern("surfaced 20");
    // Surfaced once: no repeated reminder; the message itself is still unread.
    assertThat(cli.runWithInput(event, "hook", "--agent", "bob").stdout()).isEmpty();
    assertThat(cli.run("inbox", "bob").stdout()).contains("can you");

    String start =
        "{\"session_id\":\"s\",\"hook_event_name\":\"SessionStart\",\"source\":\"startup\"}";
    cli.run("send", "bob", "x".repeat(3000), "-s", "carol");
    for (int i = 0; i < 10; i++) {
      cli.run("send", "bob", "message " + i + " " + "y".repeat(1000), "-s", "alice");
    }
    String digest = cli.runWithInput(start, "hook", "-s", "bob").stdout();
    assertThat(digest)
        .contains("\"hookEventName\":\"SessionStart\"", "11 unread messages", "(cut;")
        .contains("more messages: run agent-msg inbox bob");
    assertThat(digest.length()).isLessThan(9_000);
  }

  @Test
  void hookNeverFailsOnBadInput() {
    for (String input : List.of("", "not json", "[1,2]", "{\"hook_event_name\":\"Stop\"}")) {
      Result result = cli.runWithInput(input, "hook", "--agent", "bob");
      assertThat(result.exitCode()).isZero();
      assertThat(result.stdout()).isEmpty();
      assertThat(result.stderr()).startsWith("agent-msg hook: ").doesNotContain("\n");
    }
    Result bogus =
        cli.runWithInput("{\"hook_event_name\":\"PostToolUse\"}", "hook", "--bogus", "-s", "bob");
    assertThat(bogus.exitCode()).isZero();
    assertThat(cli.runWithInput("{\"hook_event_name\":\"PostToolUse\"}", "hook").exitCode())
        .isZero();
    assertThat(
            cli.runWithInput("{\"hook_event_name\":\"PostToolUse\"}", "hook", "-s", "nobody")
                .exitCode())
        .isZero();
  }

  @Test
  void setupPrintsTheSnippetsAndWriteMergesWithoutClobbering() throws Exception {
    Result printed = cli.run("setup", "claude-code", "-s", "bob");
    assertThat(printed.stdout())
        .contains("CLAUDE.md", "agent-msg reply <id>", ".claude/settings.json")
        .contains("\"command\" : \"agent-msg hook --agent bob\"", "agent-msg watch bob")
        .contains(".mcp.json", "\"enabledMcpjsonServers\" : [ \"agent-msg\" ]");
    assertThat(cli.run("setup", "codex", "-s", "bob").stdout())
        .contains("AGENTS.md", "agent-msg inbox bob", "[mcp_servers.agent-msg]")
        .doesNotContain("settings.json");

    Path project = Files.createDirectories(home.resolve("project"));
    Files.createDirectories(project.resolve(".claude"));
    Files.writeString(
        project.resolve(".claude/settings.json"),
        "{\"model\":\"opus\",\"hooks\":{\"UserPromptSubmit\":[{\"hooks\":[{\"type\":\"command\","
            + "\"command\":\"other-tool\"}]}]}}");
    Files.writeString(project.resolve("CLAUDE.md"), "# My project\n\nKeep this.\n");
    for (int i = 0; i < 2; i++) {
      Result wrote =
          cli.run("setup", "claude-code", "-s", "bob", "--write", "--dir", project.toString());
      assertThat(wrote.exitCode()).as(wrote.toString()).isZero();
      if (i == 1) {
        assertThat(wrote.stdout()).doesNotContain("Wrote ").contains("Unchanged ");
      }
    }
    String settings = Files.readString(project.resolve(".claude/settings.json"));
    assertThat(settings).contains("\"model\" : \"opus\"", "other-tool", "SessionStart");
    assertThat(settings.split("agent-msg hook --agent bob", -1)).hasSize(4);
    String claudeMd = Files.readString(project.resolve("CLAUDE.md"));
    assertThat(claudeMd).startsWith("# My project\n\nKeep this.\n");
    assertThat(claudeMd.split("agent-msg:begin", -1)).hasSize(2);

    Files.writeString(project.resolve(".claude/settings.json"), "{broken");
    assertError(
        cli.run("setup", "claude-code", "-s", "bob", "--write", "--dir", project.toString()),
        1,
        "error[setup-conflict]");
    assertThat(Files.readString(project.resolve(".claude/settings.json"))).isEqualTo("{broken");
    assertError(cli.run("setup", "vim"), 2, "error[usage]");
  }

  @Test
  void pruneNeverTouchesUnreadMailWithoutTheFlag() {
    String read = id(cli.run("send", "bob", "old and read", "-s", "alice"));
    String unread = id(cli.run("send", "carol", "old and unread", "-s", "alice"));
    String unacked = id(cli.run("send", "bob", "read, not acked", "-s", "alice", "--ack-required"));
    cli.run("inbox", "bob");
    assertThat(home.resolve("inbox/bob/" + read + ".json")).exists();

    assertThat(cli.run("prune", "--older-than", "1d").stdout())
        .startsWith("Deleted 0 messages and 0 mirror files");
    assertThat(cli.run("prune", "--older-than", "0s", "--dry-run").stdout())
        .startsWith("Would delete 1 message and 2 mirror files; kept 2");
    assertThat(cli.run("status", read).exitCode()).isZero();

    assertThat(cli.run("prune", "--older-than", "0s", "--json").stdout())
        .isEqualTo("{\"dryRun\":false,\"messages\":1,\"files\":2,\"kept\":2}");
    assertError(cli.run("status", read), 1, "error[unknown-message]");
    assertThat(home.resolve("inbox/bob/" + read + ".json")).doesNotExist();
    assertThat(home.resolve("outbox/alice/" + read + ".json")).doesNotExist();
    assertThat(cli.run("status", unread, unacked).exitCode()).isZero();

    assertThat(cli.run("prune", "--older-than", "0s", "--include-unread").stdout())
        .startsWith("Deleted 2 messages and 4 mirror files");
    assertThat(cli.run("history", "alice").stdout()).isEqualTo("No messages found for alice.");
    assertError(cli.run("prune"), 2, "error[usage]: missing --older-than");
    assertError(cli.run("prune", "--older-than", "soon"), 2, "error[usage]: --older-than");
  }

  @Test
  void doctorFindsAndRebuildsADeletedMirror() throws Exception {
    String id = id(cli.run("send", "bob", "keep me", "-s", "alice"));
    Result healthy = cli.run("doctor");
    assertThat(healthy.exitCode()).as(healthy.toString()).isZero();
    assertThat(healthy.stdout())
        .contains(
            "schema version " + StoreSql.expectedSchemaVersion() + " (current), 1 message",
            "mirror: complete",
            "rejected: none");

    Files.delete(home.resolve("inbox/bob/" + id + ".json"));
    Files.delete(home.resolve("outbox/alice/" + id + ".json"));
    Path stale = Files.createDirectories(home.resolve("tmp")).resolve("x.json.1.tmp");
    Files.writeString(stale, "half");
    Files.setLastModifiedTime(
        stale, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    Files.createDirectories(home.resolve("rejected/bob"));
    Files.writeString(home.resolve("rejected/bob/bad.json"), "nope");

    Result sick = cli.run("doctor");
    assertThat(sick.exitCode()).isEqualTo(1);
    assertThat(sick.stdout())
        .contains("mirror: 2 file(s) missing", "tmp: 1 stale file(s)", "rejected: 1 malformed");
    Result repaired = cli.run("doctor", "--repair", "--json");
    assertThat(repaired.exitCode()).as(repaired.toString()).isZero();
    assertThat(repaired.stdout())
        .contains("\"missingMirrorFiles\":2,\"rebuiltMirrorFiles\":2", "\"removedTmpFiles\":1")
        .contains("\"healthy\":true");
    assertThat(Files.readString(home.resolve("inbox/bob/" + id + ".json"))).contains("keep me");
    assertThat(stale).doesNotExist();
    assertThat(cli.run("doctor").exitCode()).isZero();
  }

  private List<String> grep(String agent, String words) {
    String out = cli.run("history", agent, "--grep", words, "--json").stdout();
    return out.isEmpty()
        ? List.of()
        : Arrays.stream(out.split("\n"))
            .map(line -> line.substring(7, line.indexOf('"', 7)))
            .toList();
  }

  @Test
  void sendWarnsOfARecipientNothingWillWakeAndNotOfOneWithAHookSeenRecently() throws Exception {
    Result asleep = cli.run("send", "bob", "are you there?", "-s", "alice");
    assertThat(asleep.stdout()).matches("Message \\S+ sent to bob");
    assertThat(asleep.stderr())
        .matches(
            "warning: bob: last seen [^,]+, nothing will wake it; it will see this on"
                + " its next inbox");
    String json = cli.run("send", "bob", "json", "-s", "alice", "--json").stdout();
    assertThat(json)
        .contains(
            "\"health\":{\"agent\":\"bob\",\"connected\":false,\"wake\":null,\"wakeSeenAt\":null,")
        .contains("\"awake\":false}");

    // bob's CLI runs the hook: with nothing new, it leaves its mark (the folder settled first).
    assertThat(cli.run("inbox", "bob").exitCode()).isZero();
    Path inbox = home.resolve("inbox/bob");
    Files.setLastModifiedTime(
        inbox, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(5)));
    Result hook = cli.runWithInput("{\"hook_event_name\":\"PostToolUse\"}", "hook", "-s", "bob");
    assertThat(hook.exitCode()).as(hook.toString()).isZero();
    assertThat(hook.stdout()).isEmpty();

    Result awake = cli.run("send", "bob", "now?", "-s", "alice");
    assertThat(awake.stderr()).as(awake.toString()).isEmpty();
    assertThat(cli.run("send", "bob", "j", "-s", "alice", "--json").stdout())
        .contains("\"connected\":false,\"wake\":\"hook\",\"wakeSeenAt\":\"")
        .contains("\"awake\":true}");

    Result all = cli.run("send", "@all", "stand-up", "-s", "alice");
    assertThat(all.stderr())
        .matches(
            "warning: 1 awake, 1 with nothing to wake them \\(carol: last seen [^;]+\\); they"
                + " will see this on their next inbox");
  }

  @Test
  void theLoopGuardHoldsAThreadRefusesTheNextAgentSendAndAHumanReleasesIt() {
    String first = id(cli.run("send", "bob", "ping", "-s", "alice"));
    Result limit = cli.run("thread", first, "--hold-after", "3");
    assertThat(limit.stdout())
        .isEqualTo(
            "Thread " + first + ": held after 3 agent messages in a row; 1 in a row now; not held");
    String second = id(cli.run("reply", first, "pong", "-s", "bob"));
    Result holds = cli.run("reply", second, "ping again", "-s", "alice");
    assertThat(holds.exitCode()).as(holds.toString()).isZero();
    assertThat(holds.stderr())
        .endsWith(
            "warning: thread "
                + first
                + " is held: 3 agent messages in a row with no human in between; a message from a"
                + " human releases it (or raise its limit: agent-msg thread "
                + first
                + " --hold-after <n>)");

    assertError(
        cli.run("reply", second, "and again", "-s", "bob"),
        1,
        "error[thread-held]: thread " + first + " is held: 3 agent messages in a row");
    assertThat(cli.run("inbox", "bob").stdout())
        .endsWith(
            "Thread "
                + first
                + " is held: its limit of agent messages in a row with no human in between; a"
                + " message from a human releases it (or raise its limit: agent-msg thread "
                + first
                + " --hold-after <n>)");
    assertThat(cli.run("thread", first, "--json").stdout().split("\n")).hasSize(3);
    assertThat(cli.run("inbox", "alice", "--json").stdout()).contains("\"threadHeld\":true");
    assertError(
        cli.run("thread", first, "--hold-after", "1"),
        2,
        "error[usage]: --hold-after must be 0 (off) or 2 to 1000000, was '1' (or 'default')");

    assertThat(cli.run("register", "carol", "-t", "human").exitCode()).isZero();
    Result human = cli.run("reply", second, "go on", "-s", "carol");
    assertThat(human.exitCode()).as(human.toString()).isZero();
    assertThat(cli.run("thread", first).stdout()).doesNotContain("is held");
    assertThat(cli.run("reply", second, "thanks", "-s", "bob").exitCode()).isZero();
  }

  private static String id(Result sent) {
    assertThat(sent.exitCode()).as(sent.toString()).isZero();
    return sent.stdout().split("\n")[0].split(" ")[1];
  }

  private static void assertError(Result result, int exitCode, String stderrStart) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
    assertThat(result.stdout()).as(result.toString()).isEmpty();
    assertThat(result.stderr()).as(result.toString()).startsWith(stderrStart).doesNotContain("\n");
  }
}
