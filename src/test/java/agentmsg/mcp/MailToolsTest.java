package agentmsg.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agentmsg.AgentMessenger;
import agentmsg.AgentMsgException;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailToolsTest {
  @TempDir Path home;

  private AgentMessenger alice;
  private AgentMessenger bob;
  private MailTools tools;

  @BeforeEach
  void open() {
    alice = messenger("alice");
    bob = messenger("bob");
    alice.register(AgentType.CLAUDE_CODE);
    bob.register(AgentType.CODEX);
    tools = new MailTools(alice);
  }

  @AfterEach
  void close() {
    tools.close();
    alice.close();
    bob.close();
  }

  @Test
  void sendReturnsTheStoredMessageAsOneJsonObject() throws Exception {
    String result = tools.call("send", Map.of("to", "bob", "message", "hi"));

    assertThat(result)
        .startsWith("{\"id\":\"")
        .contains("\"from\":\"alice\"", "\"status\":\"stored\"");
    assertThat(bob.unread()).extracting(Message::body).containsExactly("hi");
  }

  @Test
  void inboxReturnsUnreadMessagesOnceAndMarksThemRead() throws Exception {
    bob.send("alice", "one");
    bob.send("alice", "two");

    String first = tools.call("inbox", null);

    assertThat(first).startsWith("{\"count\":2,\"messages\":[{").contains("\"one\"", "\"two\"");
    assertThat(tools.call("inbox", Map.of())).isEqualTo("{\"count\":0,\"messages\":[]}");
  }

  @Test
  void waitForMessageWithZeroTimeoutOnlyChecks() throws Exception {
    assertThat(tools.call("wait_for_message", Map.of("timeout_seconds", 0)))
        .isEqualTo("{\"count\":0,\"timedOut\":true,\"messages\":[]}");
    bob.send("alice", "here");
    assertThat(tools.call("wait_for_message", Map.of("timeout_seconds", 0.5)))
        .contains("\"timedOut\":false", "\"here\"", "\"status\":\"read\"");
  }

  @Test
  void closingWakesAWaitingCall() throws Exception {
    CompletableFuture<String> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return tools.call("wait_for_message", Map.of("timeout_seconds", 600));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    tools.close();

    // Either the wait was woken (nothing came) or it had not started and was refused.
    try {
      assertThat(waiting.get(60, TimeUnit.SECONDS)).contains("\"timedOut\":true");
    } catch (java.util.concurrent.ExecutionException refused) {
      assertThat(refused.getCause()).isInstanceOf(AgentMsgException.class);
    }
  }

  @Test
  void argumentsOutsideTheSchemaAreUsageErrorsNamingTheArgument() {
    assertUsage("send", Map.of("to", "bob"), "send: missing required argument 'message'");
    assertUsage("send", Map.of("to", 7, "message", "x"), "'to' must be a string");
    assertUsage("history", Map.of("limit", 501), "'limit' must be between 1 and 500");
    assertUsage("history", Map.of("limit", 2.5), "'limit' must be a whole number");
    assertUsage("wait_for_message", Map.of("timeout_seconds", 600.5), "between 0 and 600");
    assertUsage("list_agents", Map.of("all", true), "unknown argument 'all'");
    assertUsage("no_such_tool", Map.of(), "no tool named 'no_such_tool'");
    Map<String, Object> nullValue = new HashMap<>();
    nullValue.put("to", "bob");
    nullValue.put("message", null);
    assertUsage("send", nullValue, "missing required argument 'message'");
  }

  @Test
  void historyFiltersByPeerWordsAndTimeNewestFirst() throws Exception {
    bob.send("alice", "the build is green");
    tools.call("send", Map.of("to", "bob", "message", "thanks for the build"));
    messenger("carol").send("alice", "lunch?");

    String withBob = tools.call("history", Map.of("with", "bob"));
    assertThat(withBob).contains("\"count\":2");
    assertThat(withBob.indexOf("thanks for the build"))
        .isLessThan(withBob.indexOf("the build is green"));
    assertThat(tools.call("history", Map.of("search", "lunch"))).contains("\"count\":1", "lunch?");
    assertThat(tools.call("history", Map.of("since", "1h", "limit", 2))).contains("\"count\":2");
    assertThat(tools.call("history", Map.of("until", "2000-01-01T00:00:00Z")))
        .contains("\"count\":0");
  }

  @Test
  void replyGoesToTheSenderInTheOriginalsThread() throws Exception {
    Message question = bob.send("alice", "ready?");

    String reply =
        tools.call(
            "reply", Map.of("message_id", question.id(), "message", "yes", "priority", "high"));

    assertThat(reply)
        .contains(
            "\"to\":\"bob\"",
            "\"thread\":\"" + question.thread(),
            "\"replyTo\":\"" + question.id(),
            "\"priority\":\"high\"");
    assertThat(tools.call("message_status", Map.of("message_id", question.id())))
        .contains("\"count\":1");
  }

  @Test
  void anEmptyMessageHasItsOwnCode() {
    assertThatThrownBy(() -> tools.call("send", Map.of("to", "bob", "message", "")))
        .isInstanceOfSatisfying(
            AgentMsgException.class, e -> assertThat(e.code()).isEqualTo("empty-message"));
  }

  @Test
  void everyToolHasAOneSentenceDescriptionAndAClosedSchema() {
    List<ToolSpec> specs = tools.specs();
    assertThat(specs).hasSize(7);
    for (ToolSpec spec : specs) {
      assertThat(spec.description()).as(spec.name()).endsWith(".").doesNotContain(". ");
      assertThat(spec.inputSchema()).as(spec.name()).containsEntry("additionalProperties", false);
    }
  }

  @Test
  void theNotifierAnnouncesNewMailOnceAndMarksNothingRead() throws Exception {
    bob.send("alice", "before the watch");
    LinkedBlockingQueue<List<Message>> announced = new LinkedBlockingQueue<>();
    try (AutoCloseable announcing = alice.announce(announced::add, warning -> {})) {
      bob.send("alice", "after");

      List<Message> batch = announced.poll(60, TimeUnit.SECONDS);

      assertThat(batch).extracting(Message::body).containsExactly("after");
      assertThat(notifierThreadIsDaemon()).isTrue();
    }
    assertThat(alice.unread())
        .extracting(Message::body)
        .containsExactly("before the watch", "after");
  }

  private static boolean notifierThreadIsDaemon() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals("agent-msg-announce"))
        .allMatch(Thread::isDaemon);
  }

  private void assertUsage(String tool, Map<String, Object> arguments, String text) {
    assertThatThrownBy(() -> tools.call(tool, arguments))
        .isInstanceOfSatisfying(
            AgentMsgException.class,
            e -> {
              assertThat(e.code()).isEqualTo("usage");
              assertThat(e.getMessage()).contains(text);
            });
  }

  private AgentMessenger messenger(String agent) {
    return AgentMessenger.open(
        Options.builder()
            .home(home)
            .agent(agent)
            .pollInterval(Duration.ofSeconds(60))
            .warningListener(warning -> {})
            .build());
  }
}
