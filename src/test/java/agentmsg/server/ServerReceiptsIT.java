package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.HistoryQuery;
import agentmsg.Message;
import agentmsg.MessageStatus;
import agentmsg.Options;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Receipts and search for messages that go through the server rather than the files. */
class ServerReceiptsIT {
  @TempDir Path home;
  private HttpClient http;
  private WebSocketClient client;
  private AgentMsgServer server;

  @BeforeEach
  void startServerWithAliceAndBob() throws Exception {
    for (String agent : List.of("alice", "bob")) {
      try (AgentMessenger messenger = messenger(agent)) {
        messenger.register(AgentType.OTHER);
      }
    }
    http = new HttpClient();
    client = new WebSocketClient(http);
    http.start();
    client.start();
    server =
        AgentMsgServer.start(
            ServerOptions.builder()
                .home(home)
                .port(0)
                .log(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .build());
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
    client.stop();
    http.stop();
  }

  @Test
  void aMessageThroughTheServerGoesThroughEveryStateAndIsSearchable() throws Exception {
    try (AgentMessenger alice = messenger("alice");
        TestSocket bobSocket = TestSocket.hello(client, server, "bob", "send-only")) {
      bobSocket.sendMessage("c-1", "alice", "Pipeline für v2.0 ist grün");
      String id = bobSocket.next("stored").path("id").asText();

      Message stored = alice.status(id).get(0);
      assertThat(stored.status()).isEqualTo(MessageStatus.STORED);
      assertThat(stored.thread()).isEqualTo(id);
      assertThat(alice.history(HistoryQuery.newest(5).withText("FÜR grün")))
          .extracting(Message::id)
          .containsExactly(id);

      try (TestSocket aliceSocket = TestSocket.hello(client, server, "alice", "receive")) {
        assertThat(aliceSocket.next("message").path("id").asText()).isEqualTo(id);
        aliceSocket.ack(id);
        bobSocket.next("delivered");
      }
      Message delivered = alice.status(id).get(0);
      assertThat(delivered.deliveredAt()).isNotNull();
      assertThat(delivered.status()).isEqualTo(MessageStatus.READ);

      Message acked = alice.ack(List.of(id)).get(0);
      assertThat(acked.status()).isEqualTo(MessageStatus.ACKED);
      Message now = alice.status(id).get(0);
      assertThat(now.ackedAt()).isNotNull();
      assertThat(now.readAt()).isEqualTo(delivered.readAt());
    }
  }

  @Test
  void aReadThroughTheServerWakesASenderWaitingForIt() throws Exception {
    // A safety-net interval of an hour: only the receipt file can wake the sender within the test.
    try (AgentMessenger bob =
            AgentMessenger.open(
                Options.builder()
                    .home(home)
                    .agent("bob")
                    .pollInterval(java.time.Duration.ofHours(1))
                    .warningListener(warning -> {})
                    .build());
        agentmsg.ReceiptWatch receipts = bob.watchReceipts();
        TestSocket aliceSocket = TestSocket.hello(client, server, "alice", "receive")) {
      Message sent = bob.send("alice", "read me through the server");
      assertThat(aliceSocket.next("message").path("id").asText()).isEqualTo(sent.id());
      aliceSocket.ack(sent.id());

      List<Message> after =
          receipts.await(List.of(sent), MessageStatus.READ, java.time.Duration.ofSeconds(60));
      assertThat(agentmsg.ReceiptWatch.reached(after, MessageStatus.READ)).isTrue();
      // The file follows the commit asynchronously: the sender may have found READ in the store
      // first. Stopping writes out what the server's mirror queue holds.
      server.stop();
      assertThat(home.resolve("receipts/bob/alice.json")).exists();
    }
  }

  private AgentMessenger messenger(String agent) {
    return AgentMessenger.open(
        Options.builder().home(home).agent(agent).warningListener(warning -> {}).build());
  }
}
