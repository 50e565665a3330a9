package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Options;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random and malformed frames from several connections while two honest clients
 * exchange messages: the server must stay up, never fail inside, and deliver every honest message.
 * Seeded, so a failure can be replayed; bounded in count.
 */
class FuzzIT {
  private static final int FUZZERS = 4;
  private static final int FRAMES_EACH = 1_500;
  private static final int HONEST_MESSAGES = 200;
  private static final long SEED = 20261124L;

  @TempDir Path home;

  @Test
  void malformedFramesNeverStopTheServerOrHonestDelivery() throws Exception {
    for (String agent : List.of("alice", "bob", "mallory")) {
      try (AgentMessenger messenger =
          AgentMessenger.open(
              Options.builder().home(home).agent(agent).warningListener(w -> {}).build())) {
        messenger.register(AgentType.OTHER);
      }
    }
    ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    HttpClient http = new HttpClient();
    WebSocketClient client = new WebSocketClient(http);
    client.setMaxTextMessageSize(16 * 1024 * 1024);
    http.start();
    client.start();
    ExecutorService pool = Executors.newFixedThreadPool(FUZZERS);
    AgentMsgServer server =
        AgentMsgServer.start(
            ServerOptions.builder()
                .home(home)
                .port(0)
                .logDeliveries(false)
                .log(new PrintStream(logBytes, true, StandardCharsets.UTF_8))
                .build());
    try (TestSocket alice = TestSocket.hello(client, server, "alice", "receive");
        TestSocket bob = TestSocket.hello(client, server, "bob", "send-only")) {
      List<Future<Integer>> fuzzers = new ArrayList<>();
      for (int f = 0; f < FUZZERS; f++) {
        long seed = SEED + f;
        fuzzers.add(pool.submit(() -> fuzz(client, server, seed)));
      }
      for (int i = 0; i < HONEST_MESSAGES; i++) {
        bob.sendMessage("honest-" + i, "alice", "honest message " + i);
      }

      Set<String> received = new HashSet<>();
      while (received.size() < HONEST_MESSAGES) {
        JsonNode frame = alice.nextOf("message");
        alice.ack(frame.path("id").asText());
        if (frame.path("from").asText().equals("bob")) {
          received.add(frame.path("message").asText());
        }
      }
      int stored = 0;
      while (stored < HONEST_MESSAGES) {
        JsonNode frame = bob.next();
        assertThat(frame.path("type").asText()).as("%s", frame).isIn("stored", "delivered");
        if (frame.path("type").asText().equals("stored")) {
          stored++;
        }
      }
      int reconnects = 0;
      for (Future<Integer> fuzzer : fuzzers) {
        reconnects += fuzzer.get(5, TimeUnit.MINUTES);
      }
      assertThat(received).hasSize(HONEST_MESSAGES);
      assertThat(alice.isOpen()).isTrue();
      assertThat(bob.isOpen()).isTrue();
      assertThat(reconnects).as("frames over the size limit closed fuzzers").isPositive();

      // Still serving new connections.
      try (TestSocket late = TestSocket.hello(client, server, "mallory", "send-only")) {
        late.send("{\"type\":\"ping\",\"agent\":\"alice\"}");
        assertThat(late.nextOf("pong").path("online").asBoolean()).isTrue();
      }
    } finally {
      pool.shutdownNow();
      server.stop();
      client.stop();
      http.stop();
    }
    String log = logBytes.toString(StandardCharsets.UTF_8);
    assertThat(log).as("no frame made the server fail inside").doesNotContain("error handling");
    assertThat(log).containsPattern("bad-frame=[1-9]").containsPattern("too-large=[1-9]");
  }

  /**
   * Sends {@link #FRAMES_EACH} hostile frames as mallory, reconnecting whenever the server closes
   * the connection; ends with a ping round trip, so the server has read everything.
   *
   * @return how many times it had to reconnect
   */
  private static int fuzz(WebSocketClient client, AgentMsgServer server, long seed)
      throws Exception {
    Random random = new Random(seed);
    int reconnects = 0;
    TestSocket socket =
        TestSocket.connectAs(client, server.uri(), server.options().home(), "mallory");
    try {
      for (int i = 0; i < FRAMES_EACH; i++) {
        if (!socket.isOpen()) {
          socket.close();
          socket = TestSocket.connectAs(client, server.uri(), server.options().home(), "mallory");
          reconnects++;
        }
        int kind = random.nextInt(12);
        if ((kind == 3 && i % 20 != 0) || (kind == 4 && i % 200 != 0)) {
          kind = 1; // big frames now and then, not a gigabyte of them
        }
        if (kind == 0) {
          byte[] bytes = new byte[random.nextInt(2048)];
          random.nextBytes(bytes);
          socket.sendBinary(bytes);
        } else {
          socket.send(hostileText(random, kind, i));
        }
        socket.drain();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() - deadline < 0) {
        if (!socket.isOpen()) {
          socket.close();
          socket = TestSocket.connectAs(client, server.uri(), server.options().home(), "mallory");
          reconnects++;
        }
        socket.send("{\"type\":\"ping\"}");
        // A frame sent earlier may still get the connection closed: then reconnect and ask again.
        // The client drops a send made while a big frame is still being written (its callback is
        // a no-op): without an answer for a while, ask again.
        JsonNode frame;
        do {
          frame = socket.poll(2_000);
        } while (frame != null
            && !frame.path("type").asText().equals("pong")
            && !frame.path("type").asText().equals(TestSocket.CLOSED));
        if (frame != null && frame.path("type").asText().equals("pong")) {
          return reconnects;
        }
      }
      throw new AssertionError("no pong for mallory within 60 s");
    } finally {
      socket.close();
    }
  }

  private static String hostileText(Random random, int kind, int i) {
    String valid =
        "{\"type\":\"send\",\"clientId\":\"f"
            + i
            + "\",\"to\":\"alice\",\"message\":\"fuzz "
            + i
            + "\"}";
    return switch (kind) {
      case 1 -> randomString(random, random.nextInt(300));
      case 2 -> valid.substring(0, random.nextInt(valid.length())); // truncated JSON
      case 3 ->
          "{\"type\":\"send\",\"to\":\"alice\",\"message\":\""
              + "x".repeat(1_000_001 + random.nextInt(1000))
              + "\"}"; // over the message limit
      case 4 ->
          "\"" + "y".repeat(AgentMsgServer.MAX_FRAME_BYTES + 1) + "\""; // over the frame limit
      case 5 -> "{\"type\":" + random.nextInt() + "}";
      case 6 -> "{\"type\":\"send\",\"to\":[1,2],\"message\":{\"a\":null},\"clientId\":7}";
      case 7 -> "{\"type\":\"hello\",\"agent\":\"alice\",\"role\":\"receive\",\"takeover\":true}";
      case 8 -> "[".repeat(5_000) + "]".repeat(5_000); // deep nesting
      case 9 -> "{\"type\":\"ack\",\"upTo\":\"" + randomString(random, 20) + "\",\"id\":-1}";
      case 10 -> "{\"type\":\"message\",\"from\":\"alice\",\"to\":\"bob\",\"message\":\"spoof\"}";
      default -> random.nextBoolean() ? valid : "{\"type\":\"hello\",\"agent\":\"mallory\"}";
    };
  }

  private static String randomString(Random random, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int codePoint = random.nextInt(0x3000);
      if (Character.isSurrogate((char) codePoint)) {
        codePoint = '?';
      }
      text.appendCodePoint(codePoint);
    }
    return text.toString();
  }
}
