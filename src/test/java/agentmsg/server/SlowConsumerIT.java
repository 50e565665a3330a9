package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Options;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the server holds for a client that does not read is bounded in bytes: one that asks and
 * never reads is closed with 1008 {@code slow-consumer}, while a receiver that reads late gets
 * every message without being closed. A real server on port 0, a raw client that reads only when
 * told.
 */
class SlowConsumerIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int QUEUE_LIMIT = 16 << 20;

  @TempDir Path home;
  private final LogWatch log = new LogWatch();
  private AgentMsgServer server;

  @BeforeEach
  void start() {
    for (String agent : List.of("alice", "bob")) {
      try (AgentMessenger messenger = messenger(agent)) {
        messenger.register(AgentType.OTHER);
      }
    }
    server =
        AgentMsgServer.start(
            ServerOptions.builder()
                .home(home)
                .port(0)
                .noAuth()
                .maxQueuedBytes(QUEUE_LIMIT)
                .log(log.stream())
                .build());
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private AgentMessenger messenger(String agent) {
    return AgentMessenger.open(
        Options.builder().home(home).agent(agent).warningListener(warning -> {}).build());
  }

  /** {@code count} messages of {@code bytes} each from alice to bob; their ids in order. */
  private void seed(int count, int bytes) {
    try (AgentMessenger alice = messenger("alice")) {
      for (int i = 0; i < count; i++) {
        alice.send("bob", ("m" + i + " ").repeat(bytes).substring(0, bytes));
      }
    }
  }

  @Test
  void aClientThatAsksAndNeverReadsIsClosedAsASlowConsumer() throws Exception {
    seed(40, 200_000); // every history answer of 500 is cut at about 8 MiB
    try (RawWebSocket greedy = RawWebSocket.connect(server.uri(), Map.of(), 64 * 1024)) {
      greedy.sendText("{\"type\":\"hello\",\"agent\":\"bob\",\"role\":\"send-only\"}");
      for (int i = 0; i < 200; i++) {
        greedy.sendText("{\"type\":\"history\",\"ref\":\"h" + i + "\",\"limit\":500}");
      }
      assertThat(log.await("slow-consumer", 60))
          .as("the server closes it; the log so far:\n%s", log)
          .isTrue();

      List<RawWebSocket.Frame> frames = greedy.readUntilClose();
      RawWebSocket.Frame last = frames.get(frames.size() - 1);
      assertThat(last.opcode()).as("the connection ends with a close frame").isEqualTo(8);
      assertThat(last.closeCode()).isEqualTo(1008);
      assertThat(last.closeReason()).isEqualTo("slow-consumer");
      long answers =
          frames.stream()
              .filter(frame -> frame.opcode() == RawWebSocket.TEXT)
              .filter(frame -> frame.text().startsWith("{\"type\":\"history\""))
              .count();
      assertThat(answers).as("what was queued before the limit").isBetween(1L, 199L);
    }

    // The server is still up and serves others.
    try (TestSocket alice = TestSocket.hello(CLIENT.get(), server.uri(), "alice", "send-only")) {
      alice.send("{\"type\":\"history\",\"ref\":\"ok\",\"limit\":1}");
      assertThat(alice.next("history").path("count").asInt()).isEqualTo(1);
    }
    server.stop();
    assertThat(log.toString()).contains("slow-closed=1");
  }

  @Test
  void aBacklogLargerThanTheQueueLimitIsPushedWholeWithoutClosingTheReceiver() throws Exception {
    seed(60, 500_000); // 30 MB of backlog: more than the queue limit
    try (RawWebSocket late = RawWebSocket.connect(server.uri(), Map.of(), 64 * 1024)) {
      late.sendText("{\"type\":\"hello\",\"agent\":\"bob\",\"role\":\"receive\"}");
      // Asked for nothing, so pushes alone never close it: they pause while the socket is full.
      Set<String> bodies = new HashSet<>();
      while (bodies.size() < 60) {
        RawWebSocket.Frame frame = late.readOne();
        assertThat(frame.opcode()).as("no close while reading: %s", frame).isNotEqualTo(8);
        if (frame.opcode() == RawWebSocket.TEXT) {
          JsonNode json = JSON.readTree(frame.text());
          if (json.path("type").asText().equals("message")) {
            bodies.add(json.path("id").asText());
            late.sendText("{\"type\":\"ack\",\"id\":\"" + json.path("id").asText() + "\"}");
          }
        }
      }
      assertThat(bodies).hasSize(60);
    }
    assertThat(log.toString()).doesNotContain("slow-consumer");
  }
}
