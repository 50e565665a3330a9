package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.Options;
import agentmsg.testing.ChildJvm;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a server process in the middle of a stream of sends and acks: every message it
 * answered {@code stored} is in the store afterwards, every ack it answered {@code delivered} is
 * recorded, a resend of the whole stream with the same client ids stores nothing twice, and the
 * reader gets each message once.
 */
class ServerCrashIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  private static final int MESSAGES = 2_000;

  @TempDir Path home;

  @Test
  void killNineMidStreamLosesNoStoredMessageNoDeliveredAckAndStoresNothingTwice() throws Exception {
    for (String agent : List.of("alice", "bob")) {
      try (AgentMessenger messenger =
          AgentMessenger.open(Options.builder().home(home).agent(agent).build())) {
        messenger.register(AgentType.OTHER);
      }
    }
    Map<String, String> storedBefore = new HashMap<>();
    Set<String> deliveredBefore = new HashSet<>();
    try (ChildJvm server = ChildJvm.server(home)) {
      URI url = server.serverUrl();
      try (TestSocket alice = TestSocket.hello(CLIENT.get(), url, home, "alice", "send-only");
          TestSocket bob = TestSocket.hello(CLIENT.get(), url, home, "bob", "receive")) {
        // Alice streams while bob acks what reaches him; once a few hundred acks were answered,
        // the rest goes out in one burst and the server dies with sends, pushes and acks in flight.
        int sent = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (deliveredBefore.size() < 300) {
          assertThat(System.nanoTime()).as("300 acks answered within 60 s").isLessThan(deadline);
          for (int k = 0; k < 4 && sent < MESSAGES / 2; k++, sent++) {
            alice.sendMessage("c-" + sent, "bob", "m" + sent);
          }
          for (JsonNode pushed = bob.poll(2); pushed != null; pushed = bob.poll(0)) {
            assertThat(pushed.path("type").asText()).isEqualTo("message");
            bob.ack(pushed.path("id").asText());
          }
          collect(alice, storedBefore, deliveredBefore);
        }
        for (; sent < MESSAGES; sent++) {
          alice.sendMessage("c-" + sent, "bob", "m" + sent);
        }
        server.kill9();
        alice.awaitClose();
        bob.awaitClose();
        collect(alice, storedBefore, deliveredBefore);
      }
    }
    assertThat(storedBefore.size()).as("still sending when killed").isLessThan(MESSAGES);

    Map<String, String> storedAfter = new LinkedHashMap<>();
    try (ChildJvm server = ChildJvm.server(home)) {
      URI url = server.serverUrl();
      try (TestSocket alice = TestSocket.hello(CLIENT.get(), url, home, "alice", "send-only");
          TestSocket bob = TestSocket.hello(CLIENT.get(), url, home, "bob", "receive")) {
        // The sender did not hear about every send: it sends the whole stream again, and hears
        // `stored` for each (with the first id) and `delivered` for each once bob has it.
        for (int i = 0; i < MESSAGES; i++) {
          alice.sendMessage("c-" + i, "bob", "m" + i);
        }
        Set<String> delivered = new HashSet<>(deliveredBefore);
        Set<String> pushedAgain = new HashSet<>();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (storedAfter.size() < MESSAGES || !delivered.containsAll(storedAfter.values())) {
          assertThat(System.nanoTime())
              .as("stored %d, delivered %d of %d", storedAfter.size(), delivered.size(), MESSAGES)
              .isLessThan(deadline);
          JsonNode pushed = bob.poll(5);
          if (pushed != null) {
            assertThat(pushed.path("type").asText()).isEqualTo("message");
            String id = pushed.path("id").asText();
            assertThat(deliveredBefore)
                .as("acked before the crash, pushed again")
                .doesNotContain(id);
            assertThat(pushedAgain.add(id)).as("pushed twice after the restart: %s", id).isTrue();
            bob.ack(id);
          }
          collect(alice, storedAfter, delivered);
        }
        assertThat(bob.poll(300)).as("nothing more for bob").isNull();
      }
      ProcessHandle.of(server.pid()).ifPresent(ProcessHandle::destroy);
      server.awaitExit(30);
    }

    // Every id answered `stored` before the crash came back for its client id.
    for (Map.Entry<String, String> stored : storedBefore.entrySet()) {
      assertThat(storedAfter.get(stored.getKey())).isEqualTo(stored.getValue());
    }
    try (AgentMessenger bob =
        AgentMessenger.open(Options.builder().home(home).agent("bob").build())) {
      List<Message> history = new ArrayList<>(bob.history(Integer.MAX_VALUE));
      assertThat(history).hasSize(MESSAGES);
      assertThat(history)
          .extracting(Message::id)
          .containsExactlyInAnyOrderElementsOf(storedAfter.values());
      // In the order they were sent: the stored prefix first, then the resent rest.
      history.sort((a, b) -> Long.compare(a.seq(), b.seq()));
      List<String> bodies = new ArrayList<>();
      for (int i = 0; i < MESSAGES; i++) {
        bodies.add("m" + i);
      }
      assertThat(history).extracting(Message::body).containsExactlyElementsOf(bodies);
      assertThat(history).allSatisfy(message -> assertThat(message.deliveredAt()).isNotNull());
    }
  }

  /** Takes the sender's {@code stored} and {@code delivered} frames received so far. */
  private static void collect(TestSocket sender, Map<String, String> stored, Set<String> delivered)
      throws InterruptedException {
    for (JsonNode frame = sender.poll(1); frame != null; frame = sender.poll(1)) {
      switch (frame.path("type").asText()) {
        case "stored" -> stored.put(frame.path("clientId").asText(), frame.path("id").asText());
        case "delivered" -> delivered.add(frame.path("id").asText());
        case TestSocket.CLOSED -> {
          return;
        }
        default -> throw new AssertionError("unexpected frame " + frame);
      }
    }
  }
}
