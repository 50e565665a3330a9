package agentmsg.mcp;

import static agentmsg.mcp.McpChild.assertError;
import static agentmsg.mcp.McpChild.call;
import static agentmsg.mcp.McpChild.firstId;
import static agentmsg.mcp.McpChild.text;
import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.LoggingMessageNotification;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code agent-msg mcp} as a real child JVM, driven over stdio by the MCP SDK's own client: the way
 * Claude Code, Codex or OpenCode run it.
 */
class McpIT {

  @TempDir Path home;

  private final List<McpSyncClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    for (McpSyncClient client : clients) {
      client.closeGracefully();
    }
  }

  @Test
  void listsTheMailboxToolsEachWithADescriptionAndASchema() {
    McpSyncClient alice = connect("alice", null);

    List<Tool> tools = alice.listTools().tools();

    assertThat(tools)
        .extracting(Tool::name)
        .containsExactlyInAnyOrder(
            "send",
            "inbox",
            "wait_for_message",
            "reply",
            "history",
            "list_agents",
            "message_status");
    for (Tool tool : tools) {
      assertThat(tool.description()).as(tool.name()).isNotBlank().endsWith(".");
      assertThat(tool.inputSchema()).as(tool.name()).containsEntry("type", "object");
      assertThat(tool.inputSchema()).as(tool.name()).containsEntry("additionalProperties", false);
    }
    Tool send = tools.stream().filter(tool -> tool.name().equals("send")).findFirst().orElseThrow();
    assertThat(send.inputSchema().get("required")).isEqualTo(List.of("to", "message"));
  }

  @Test
  void twoAgentsTalkThroughTheirOwnServersAndTheReplyIsAnnounced() throws Exception {
    CompletableFuture<LoggingMessageNotification> announced = new CompletableFuture<>();
    McpSyncClient alice =
        connect(
            "alice",
            note -> {
              if (note.data().contains("from bob")) {
                announced.complete(note);
              }
            });
    McpSyncClient bob = connect("bob", null);

    // Bob waits first; alice's message wakes him through the inbox watch.
    CompletableFuture<CallToolResult> bobWaits =
        CompletableFuture.supplyAsync(
            () -> call(bob, "wait_for_message", Map.of("timeout_seconds", 120)));
    CallToolResult sent =
        call(alice, "send", Map.of("to", "bob", "message", "can you run the tests?"));
    assertThat(sent.isError()).as(text(sent)).isFalse();
    assertThat(text(sent)).contains("\"from\":\"alice\"", "\"to\":\"bob\"");

    CallToolResult received = bobWaits.get(120, TimeUnit.SECONDS);
    assertThat(received.isError()).as(text(received)).isFalse();
    assertThat(text(received))
        .contains("\"timedOut\":false", "can you run the tests?", "\"status\":\"read\"");
    String questionId = firstId(text(received));

    CallToolResult replied =
        call(bob, "reply", Map.of("message_id", questionId, "message", "All 212 tests pass."));
    assertThat(text(replied)).as(text(replied)).contains("\"to\":\"alice\"", "\"from\":\"bob\"");

    // The notification comes without marking anything read: the inbox still shows the reply.
    assertThat(announced.get(120, TimeUnit.SECONDS).data()).contains("from bob");
    CallToolResult inbox = call(alice, "inbox", Map.of());
    assertThat(text(inbox)).contains("\"count\":1", "All 212 tests pass.");
    assertThat(text(call(alice, "inbox", Map.of()))).contains("\"count\":0");

    String history = text(call(alice, "history", Map.of("with", "bob", "search", "tests pass")));
    assertThat(history)
        .contains("\"count\":1", "All 212 tests pass.", "\"replyTo\":\"" + questionId);
    assertThat(text(call(alice, "history", Map.of("thread", questionId))))
        .contains("\"count\":2", "can you run the tests?", "All 212 tests pass.");
    // The sender asks what became of her question: bob read it.
    assertThat(text(call(alice, "message_status", Map.of("message_id", questionId))))
        .contains("\"status\":\"read\"");
    CallToolResult urgent =
        call(
            alice,
            "send",
            Map.of(
                "to", "bob", "message", "ship it", "priority", "urgent", "reply_to", questionId));
    assertThat(text(urgent)).contains("\"priority\":\"urgent\"", "\"thread\":\"" + questionId);
    assertThat(text(call(bob, "message_status", Map.of("message_id", questionId))))
        .contains("\"id\":\"" + questionId + "\"", "\"status\":\"read\"");
    assertThat(text(call(alice, "list_agents", Map.of())))
        .contains("\"name\":\"alice\"", "\"name\":\"bob\"");
  }

  @Test
  void badArgumentsComeBackAsToolErrorsWithTheCliCodes() {
    McpSyncClient alice = connect("alice", null);

    assertError(
        call(alice, "send", Map.of("to", "nobody", "message", "hello")),
        "error[unknown-agent]: no agent named 'nobody' (see: agent-msg list)");
    assertError(
        call(alice, "send", Map.of("to", "alice", "message", "")), "error[empty-message]: ");
    assertError(call(alice, "send", Map.of("to", "alice")), "error[usage]: send: missing");
    assertError(
        call(alice, "send", Map.of("to", "../x", "message", "hi")), "error[invalid-name]: ");
    assertError(
        call(alice, "wait_for_message", Map.of("timeout_seconds", 601)),
        "error[usage]: wait_for_message: 'timeout_seconds' must be between 0 and 600");
    assertError(call(alice, "wait_for_message", Map.of("timeout_seconds", -1)), "error[usage]: ");
    assertError(
        call(alice, "wait_for_message", Map.of("timeout_seconds", "soon")), "error[usage]: ");
    assertError(call(alice, "history", Map.of("limit", 0)), "error[usage]: ");
    assertError(call(alice, "history", Map.of("since", "yesterday")), "error[usage]: ");
    assertError(
        call(alice, "send", Map.of("to", "alice", "message", "x", "priority", "asap")),
        "error[usage]: send: 'priority' must be one of low, normal, high, urgent");
    assertError(
        call(alice, "reply", Map.of("message_id", "nosuchid", "message", "x")),
        "error[unknown-message]: ");
    assertError(
        call(alice, "message_status", Map.of("message_id", "nosuchid")),
        "error[unknown-message]: ");
    assertError(
        call(alice, "inbox", Map.of("everything", true)), "error[usage]: inbox: unknown argument");

    CallToolResult nothing = call(alice, "wait_for_message", Map.of("timeout_seconds", 0));
    assertThat(nothing.isError()).isFalse();
    assertThat(text(nothing)).isEqualTo("{\"count\":0,\"timedOut\":true,\"messages\":[]}");
  }

  @Test
  void stdoutCarriesOnlyTheProtocolAndTheServerEndsWithItsInput() throws Exception {
    try (ChildJvm child = ChildJvm.cli(home, Map.of(), "mcp", "--agent", "carol", "-t", "codex")) {
      child.writeLine(
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
              + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
      // A client keeps its end open while it waits for answers; closing it asks the server to end.
      String answer = child.nextLine(60);
      assertThat(answer)
          .as("the answer to initialize; stderr: %s", child.stderrSoFar())
          .isNotNull();
      child.closeStdin();
      ChildJvm.Result result = child.awaitExit(60);

      assertThat(result.exitCode()).as(result.toString()).isZero();
      assertThat(result.stdout()).as(result.toString()).isNotEmpty();
      for (String line : result.stdout().split("\n")) {
        assertThat(line).as(result.toString()).startsWith("{\"jsonrpc\":\"2.0\"");
      }
      assertThat(result.stderr()).as("nothing on stderr on a clean start").isEmpty();
    }
    assertThat(ChildJvm.run(home, "list", "--json").stdout())
        .contains("\"name\":\"carol\",\"type\":\"codex\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"INT", "TERM"})
  void theServerExitsAtOnceOnASignal(String signal) throws Exception {
    try (ChildJvm child = ChildJvm.cli(home, Map.of(), "mcp", "--agent", "carol")) {
      child.writeLine(
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
              + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
      assertThat(child.nextLine(60)).as("stderr: %s", child.stderrSoFar()).isNotNull();
      // As Claude Code stops a server: a signal, stdin still open.
      Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(child.pid())).start();
      assertThat(kill.waitFor()).isZero();
      ChildJvm.Result result = child.awaitExit(5);
      assertThat(result.stderr()).as(result.toString()).isEmpty();
    }
  }

  private McpSyncClient connect(
      String agent, java.util.function.Consumer<LoggingMessageNotification> logs) {
    McpSyncClient client =
        McpChild.start(
            List.of("--agent", agent),
            Map.of("AGENT_MSG_HOME", home.toString(), "AGENT_MSG_AGENT", agent),
            logs);
    clients.add(client);
    return client;
  }
}
