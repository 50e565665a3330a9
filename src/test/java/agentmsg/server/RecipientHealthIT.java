package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.MessageDraft;
import agentmsg.RecipientHealth;
import agentmsg.Sent;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a sender hears about its recipients, and the loop guard, through a real server. */
class RecipientHealthIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @RegisterExtension final RunningServer running = new RunningServer(CLIENT);

  @Test
  void theStoredFrameSaysWhetherEachRecipientIsConnected() throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    TestSocket bob = running.hello("bob", "send-only");
    try (AgentMessenger carol = running.messenger("carol")) {
      carol.register(agentmsg.AgentType.CODEX);
    }

    bob.sendMessage("c-1", "alice", "are you there?");
    JsonNode stored = bob.next("stored");
    JsonNode health = stored.path("health").get(0);
    assertThat(health.path("agent").asText()).isEqualTo("alice");
    assertThat(health.path("connected").asBoolean()).isTrue();
    assertThat(health.path("awake").asBoolean()).isTrue();
    assertThat(health.path("lastSeenAt").asText()).endsWith("Z");

    bob.send("{\"type\":\"send\",\"clientId\":\"c-2\",\"to\":\"@all\",\"message\":\"stand-up\"}");
    JsonNode fanOut = bob.next("stored");
    assertThat(fanOut.path("health")).hasSize(2);
    for (JsonNode recipient : fanOut.path("health")) {
      boolean isAlice = recipient.path("agent").asText().equals("alice");
      assertThat(recipient.path("connected").asBoolean()).isEqualTo(isAlice);
      assertThat(recipient.path("awake").asBoolean()).isEqualTo(isAlice);
    }
    alice.close();
  }

  @Test
  void aFileModeSendSeesTheServersReceivingConnectionsThroughTheStore() throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    try (AgentMessenger bob = running.messenger("bob")) {
      Sent sent = bob.submit(MessageDraft.to("alice", "from the files"));
      RecipientHealth health = sent.recipients().get(0);
      assertThat(health.connected()).isTrue();
      assertThat(health.warning(Instant.now())).isNull();

      alice.close();
      assertThat(alice.awaitClose()).isPositive();
      // The disconnect reaches the store through the server's writer: wait for that, bounded.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      RecipientHealth after;
      do {
        after = bob.submit(MessageDraft.to("alice", "still there?")).recipients().get(0);
      } while (after.connected() && System.nanoTime() < deadline);
      assertThat(after.connected()).isFalse();
      assertThat(after.warning(Instant.now()))
          .matches(
              "alice: last seen [^,]+, nothing will wake it; it will see this on its next inbox");
    }
  }

  @Test
  void aSendIntoAHeldThreadGetsAThreadHeldErrorAndIsNotStored() throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    TestSocket bob = running.hello("bob", "receive");
    bob.sendMessage("c-1", "alice", "first");
    String thread = bob.next("stored").path("id").asText();
    alice.next("message");
    try (AgentMessenger admin = running.messenger("alice")) {
      admin.holdAfter(thread, 2);
    }

    alice.send(
        "{\"type\":\"send\",\"clientId\":\"a-1\",\"to\":\"bob\",\"message\":\"second\","
            + "\"thread\":\""
            + thread
            + "\"}");
    JsonNode holds = alice.next("stored");
    assertThat(holds.path("threadHeld").asBoolean()).isTrue();
    alice.send(
        "{\"type\":\"send\",\"clientId\":\"a-2\",\"to\":\"bob\",\"message\":\"third\","
            + "\"thread\":\""
            + thread
            + "\"}");
    JsonNode refused = alice.next("error");
    assertThat(refused.path("code").asText()).isEqualTo("thread-held");
    assertThat(refused.path("ref").asText()).isEqualTo("a-2");
    assertThat(refused.path("message").asText()).contains("thread " + thread + " is held");
    try (AgentMessenger reader = running.messenger("bob")) {
      assertThat(reader.thread(thread)).hasSize(2);
      assertThat(reader.heldThreads(java.util.List.of(thread))).containsExactly(thread);
    }
  }
}
