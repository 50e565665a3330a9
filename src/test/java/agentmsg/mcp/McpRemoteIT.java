package agentmsg.mcp;

import static agentmsg.mcp.McpChild.assertError;
import static agentmsg.mcp.McpChild.call;
import static agentmsg.mcp.McpChild.firstId;
import static agentmsg.mcp.McpChild.text;
import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.MessageStatus;
import agentmsg.Options;
import agentmsg.internal.client.WireClient;
import agentmsg.internal.client.WireConnection;
import agentmsg.internal.security.AgentTokens;
import agentmsg.internal.store.Store;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.ServerFrame;
import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import agentmsg.testing.ChildJvm;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.LoggingMessageNotification;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent-msg mcp -u <url>} as a real child JVM with a data home of its own (so it cannot
 * reach the store), driven over stdio by the MCP SDK's client, against a real server on loopback.
 * Bob is a plain WebSocket client of the same server; the store is looked at directly.
 */
class McpRemoteIT {

  @TempDir Path serverHome;
  @TempDir Path clientHome;

  private final List<McpSyncClient> clients = new ArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final LinkedBlockingQueue<String> notes = new LinkedBlockingQueue<>();
  private AgentMsgServer server;

  @BeforeEach
  void start() {
    for (String agent : List.of("alice", "bob", "carol")) {
      try (AgentMessenger messenger = messenger(agent)) {
        messenger.register(AgentType.OTHER);
      }
    }
    try (Store store = Store.open(serverHome, Duration.ofSeconds(30))) {
      AgentTokens tokens = new AgentTokens(store, warning -> {});
      tokens.ensure("alice");
      tokens.ensure("bob");
    }
    server = startServer(0);
  }

  @AfterEach
  void stop() throws Exception {
    for (McpSyncClient client : clients) {
      client.closeGracefully();
    }
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    server.stop();
  }

  @Test
  void theToolsWorkThroughTheServerAndAckOnlyWhatTheModelWasGiven() throws Exception {
    McpSyncClient alice = connectAlice();
    WireConnection bob = connectBob();

    assertThat(alice.listTools().tools())
        .extracting(Tool::name)
        .containsExactlyInAnyOrder(
            "send",
            "inbox",
            "wait_for_message",
            "reply",
            "history",
            "list_agents",
            "message_status");

    CallToolResult sent =
        call(alice, "send", Map.of("to", "bob", "message", "can you run the tests?"));
    assertThat(text(sent))
        .as(text(sent))
        .contains("\"from\":\"alice\"", "\"to\":\"bob\"", "\"status\":\"stored\"");
    String question = firstId(text(sent));
    try (AgentMessenger store = messenger("bob")) {
      assertThat(store.message(question)).as("stored before the tool answered").isPresent();
    }

    String answer = bobSends(bob, "c-1", "All tests pass.", question);
    awaitNote(answer);
    try (AgentMessenger store = messenger("alice")) {
      assertThat(store.message(answer).orElseThrow().status())
          .as("pushed to alice's MCP server but not yet given to the model: not acked")
          .isEqualTo(MessageStatus.STORED);
    }

    CallToolResult received = call(alice, "wait_for_message", Map.of("timeout_seconds", 60));
    assertThat(text(received))
        .as(text(received))
        .contains(
            "\"timedOut\":false",
            "All tests pass.",
            "\"replyTo\":\"" + question + "\"",
            "\"thread\":\"" + question + "\"",
            "\"status\":\"read\"");
    awaitDelivered(bob, answer);
    assertThat(text(call(alice, "inbox", Map.of()))).isEqualTo("{\"count\":0,\"messages\":[]}");

    String note = bobSends(bob, "c-2", "and the linter too", null);
    awaitNote(note);
    assertThat(text(call(alice, "inbox", Map.of())))
        .contains("\"count\":1", "and the linter too", "\"status\":\"read\"");
    awaitDelivered(bob, note);

    assertThat(text(call(alice, "history", Map.of("with", "bob")))).contains("\"count\":3");
    assertThat(text(call(alice, "history", Map.of("search", "tests pass"))))
        .contains("\"count\":1", "All tests pass.");
    assertThat(text(call(alice, "history", Map.of("thread", answer, "limit", 10))))
        .contains("\"count\":2", "can you run the tests?", "All tests pass.");
    assertThat(text(call(alice, "list_agents", Map.of())))
        .contains("\"name\":\"alice\"", "\"name\":\"bob\"", "\"name\":\"carol\"");
    assertThat(text(call(alice, "message_status", Map.of("message_id", answer))))
        .contains("\"count\":1", "\"id\":\"" + answer + "\"", "\"status\":\"read\"");

    CallToolResult replied =
        call(
            alice, "reply", Map.of("message_id", answer, "message", "ship it", "priority", "high"));
    assertThat(text(replied))
        .as(text(replied))
        .contains("\"to\":\"bob\"", "\"thread\":\"" + question + "\"", "\"priority\":\"high\"");
    try (AgentMessenger store = messenger("bob")) {
      Message stored = store.message(firstId(text(replied))).orElseThrow();
      assertThat(stored.replyTo()).isEqualTo(answer);
      assertThat(stored.thread()).isEqualTo(question);
    }

    Message private1;
    try (AgentMessenger carol = messenger("carol")) {
      private1 = carol.send("bob", "just between carol and bob");
    }
    assertError(
        call(alice, "message_status", Map.of("message_id", private1.id())),
        "error[unknown-message]: ");
    assertError(
        call(alice, "reply", Map.of("message_id", private1.id(), "message", "x")),
        "error[unknown-message]: ");
    assertThat(text(call(alice, "history", Map.of("search", "between carol"))))
        .contains("\"count\":0");

    assertError(
        call(alice, "send", Map.of("to", "nobody", "message", "hello")),
        "error[unknown-agent]: no agent named 'nobody'");
    assertError(call(alice, "send", Map.of("to", "bob", "message", "")), "error[empty-message]: ");
    assertError(
        call(alice, "send", Map.of("to", "../x", "message", "hi")), "error[invalid-name]: ");
    assertError(call(alice, "history", Map.of("limit", 0)), "error[usage]: ");
    assertError(call(alice, "wait_for_message", Map.of("timeout_seconds", 601)), "error[usage]: ");

    try (Stream<Path> files = Files.walk(clientHome)) {
      assertThat(files.map(Path::toString).filter(name -> name.endsWith(".db")))
          .as("no local store in the MCP server's own data home")
          .isEmpty();
    }
  }

  @Test
  void sendToAGroupThroughTheServerStoresAndReturnsEveryCopy() throws Exception {
    try (AgentMessenger admin = messenger("alice")) {
      admin.createGroup("reviewers", List.of("alice", "bob", "carol"));
    }
    McpSyncClient alice = connectAlice();

    CallToolResult sent = call(alice, "send", Map.of("to", "@reviewers", "message", "review?"));
    String got = text(sent);
    assertThat(sent.isError()).as(got).isFalse();
    List<String> ids = McpChild.ids(got);
    assertThat(ids).hasSize(2);
    String shared = ids.get(0).substring(0, ids.get(0).length() - ".bob".length());
    assertThat(ids).containsExactly(shared + ".bob", shared + ".carol");
    assertThat(got)
        .contains(
            "\"count\":2",
            "\"to\":\"bob\"",
            "\"to\":\"carol\"",
            "\"from\":\"alice\"",
            "\"thread\":\"" + shared + "\"",
            "\"status\":\"stored\"");
    try (AgentMessenger store = messenger("alice")) {
      assertThat(store.status(shared))
          .as("stored before the tool answered, in one thread")
          .extracting(Message::id)
          .containsExactlyInAnyOrderElementsOf(ids);
    }
    assertThat(text(call(alice, "message_status", Map.of("message_id", shared))))
        .contains("\"count\":2");

    assertError(
        call(alice, "send", Map.of("to", "@nogroup", "message", "hi")),
        "error[unknown-group]: no group named 'nogroup'");
    assertError(
        call(alice, "send", Map.of("to", "@../x", "message", "hi")), "error[invalid-name]: ");
  }

  @Test
  void aPushedButUnreadMessageSurvivesAServerRestartAndIsAckedOnceRead() throws Exception {
    McpSyncClient alice = connectAlice();
    Message before;
    try (AgentMessenger bob = messenger("bob")) {
      before = bob.send("alice", "pushed before the restart");
    }
    awaitNote(before.id());

    int port = server.uri().getPort();
    server.stop();
    Message during;
    try (AgentMessenger bob = messenger("bob")) {
      during = bob.send("alice", "stored while the server was down");
    }
    server = startServer(port);
    WireConnection bob = connectBob();

    Set<String> seen = new HashSet<>();
    for (int call = 0; call < 3 && seen.size() < 2; call++) {
      CallToolResult result = call(alice, "wait_for_message", Map.of("timeout_seconds", 60));
      String got = text(result);
      assertThat(result.isError()).as(got).isFalse();
      for (String id : McpChild.ids(got)) {
        assertThat(seen.add(id)).as("each message once: %s", got).isTrue();
      }
    }
    assertThat(seen).containsExactlyInAnyOrder(before.id(), during.id());
    awaitDelivered(bob, before.id(), during.id());
    try (AgentMessenger store = messenger("alice")) {
      assertThat(store.unread()).isEmpty();
    }
  }

  @Test
  void aRefusedTokenEndsTheCommandWithTheCode() throws Exception {
    Path wrong = clientHome.resolve("wrong.token");
    Files.writeString(wrong, "not-the-token-of-alice-0123456789\n");
    try (ChildJvm child =
        ChildJvm.cli(
            clientHome,
            Map.of(),
            "mcp",
            "--agent",
            "alice",
            "-u",
            server.uri().toString(),
            "--token-file",
            wrong.toString())) {
      ChildJvm.Result result = child.awaitExit(60);
      assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
      assertThat(result.stderr()).contains("error[unauthorized]");
      assertThat(result.stdout()).isEmpty();
    }
  }

  private AgentMsgServer startServer(int port) {
    return AgentMsgServer.start(
        ServerOptions.builder()
            .home(serverHome)
            .port(port)
            .log(new PrintStream(OutputStream.nullOutputStream(), true))
            .build());
  }

  private AgentMessenger messenger(String agent) {
    return AgentMessenger.open(
        Options.builder().home(serverHome).agent(agent).warningListener(warning -> {}).build());
  }

  private String token(String agent) throws IOException {
    return Files.readString(serverHome.resolve("tokens").resolve(agent + ".token")).strip();
  }

  /** Bob as a send-only WebSocket client: he hears {@code delivered} when alice's side acks. */
  private WireConnection connectBob() throws Exception {
    WireClient client = WireClient.start();
    toClose.add(client);
    WireConnection connection =
        client.connect(
            server.uri(),
            Map.of("Authorization", "Bearer " + token("bob")),
            Duration.ofSeconds(10));
    toClose.add(connection);
    connection.send(new ClientFrame.Hello("bob", ClientFrame.Role.SEND_ONLY, false, null, false));
    next(connection, ServerFrame.Welcome.class);
    return connection;
  }

  private static String bobSends(WireConnection bob, String clientId, String body, String replyTo)
      throws InterruptedException {
    bob.send(
        new ClientFrame.Send(
            clientId, null, "alice", body, replyTo, replyTo, false, null, null, false));
    return next(bob, ServerFrame.Stored.class).id();
  }

  /** Waits for bob to hear that each of {@code ids} was delivered. */
  private static void awaitDelivered(WireConnection bob, String... ids)
      throws InterruptedException {
    Set<String> waiting = new HashSet<>(List.of(ids));
    while (!waiting.isEmpty()) {
      waiting.remove(next(bob, ServerFrame.Delivered.class).id());
    }
  }

  private static <T extends ServerFrame> T next(WireConnection connection, Class<T> type)
      throws InterruptedException {
    while (true) {
      WireConnection.Event event = connection.next(Duration.ofSeconds(60));
      assertThat(event).as("a %s within 60 s", type.getSimpleName()).isNotNull();
      assertThat(event).as("the connection stays open").isInstanceOf(WireConnection.Frame.class);
      ServerFrame frame = ((WireConnection.Frame) event).frame();
      if (type.isInstance(frame)) {
        return type.cast(frame);
      }
    }
  }

  /** Waits for the MCP log notification that announces message {@code id}. */
  private void awaitNote(String id) throws InterruptedException {
    while (true) {
      String note = notes.poll(60, TimeUnit.SECONDS);
      assertThat(note).as("an announcement of %s within 60 s", id).isNotNull();
      if (note.contains("(id " + id + ";")) {
        return;
      }
    }
  }

  private McpSyncClient connectAlice() throws IOException {
    McpSyncClient client =
        McpChild.start(
            List.of(
                "--agent",
                "alice",
                "-u",
                server.uri().toString(),
                "--token-file",
                serverHome.resolve("tokens").resolve("alice.token").toString()),
            Map.of("AGENT_MSG_HOME", clientHome.toString()),
            (LoggingMessageNotification note) -> notes.add(note.data()));
    clients.add(client);
    return client;
  }
}
