package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agentmsg.AgentMessenger;
import agentmsg.AgentMsgException;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.MessageDraft;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sends to {@code @all} and {@code @<group>} through a real server on a real H2 store. */
class ServerFanOutIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @RegisterExtension final RunningServer running = new RunningServer(CLIENT);

  /** The copies of a fan-out's {@code stored} frame: recipient to copy id, in its order. */
  private static Map<String, String> copies(JsonNode stored) {
    Map<String, String> copies = new LinkedHashMap<>();
    for (JsonNode copy : stored.path("copies")) {
      copies.put(copy.path("to").asText(), copy.path("id").asText());
    }
    return copies;
  }

  /**
   * The next message pushed to {@code socket} is {@code body}: what proves that nothing else (a
   * second copy) came before it, without sleeping.
   */
  private static void nextPushIs(TestSocket socket, String body) throws InterruptedException {
    assertThat(socket.nextOf("message").path("message").asText()).isEqualTo(body);
  }

  @Test
  void fanOutToAllStoresACopyEachPushesItInTheSharedThreadAndReportsEachDelivery()
      throws Exception {
    TestSocket bob = running.hello("bob", "receive");
    TestSocket carol = running.hello("carol", "receive");
    TestSocket alice = running.hello("alice", "send-only");

    alice.sendMessage("f-1", "@all", "hello everyone");
    JsonNode stored = alice.next("stored");
    String shared = stored.path("id").asText();
    assertThat(stored.path("clientId").asText()).isEqualTo("f-1");
    assertThat(stored.path("to").asText()).isEqualTo("@all");
    assertThat(stored.path("thread").asText()).isEqualTo(shared);
    assertThat(stored.has("seq")).as("a fan-out has no seq of its own").isFalse();
    assertThat(copies(stored))
        .containsExactly(Map.entry("bob", shared + ".bob"), Map.entry("carol", shared + ".carol"));

    Map<String, JsonNode> pushed = new HashMap<>();
    pushed.put("bob", bob.next("message"));
    pushed.put("carol", carol.next("message"));
    for (Map.Entry<String, JsonNode> entry : pushed.entrySet()) {
      JsonNode message = entry.getValue();
      assertThat(message.path("id").asText()).isEqualTo(shared + "." + entry.getKey());
      assertThat(message.path("from").asText()).isEqualTo("alice");
      assertThat(message.path("to").asText()).isEqualTo(entry.getKey());
      assertThat(message.path("thread").asText()).isEqualTo(shared);
      assertThat(message.path("message").asText()).isEqualTo("hello everyone");
    }

    bob.ack(shared + ".bob");
    JsonNode toBob = alice.next("delivered");
    assertThat(toBob.path("id").asText()).isEqualTo(shared + ".bob");
    assertThat(toBob.path("to").asText()).isEqualTo("bob");
    carol.ack(shared + ".carol");
    JsonNode toCarol = alice.next("delivered");
    assertThat(toCarol.path("id").asText()).isEqualTo(shared + ".carol");
    assertThat(toCarol.path("to").asText()).isEqualTo("carol");

    try (AgentMessenger sender = running.messenger("alice")) {
      List<Message> status = sender.status(shared);
      assertThat(status).extracting(Message::to).containsExactlyInAnyOrder("bob", "carol");
      assertThat(status).allSatisfy(copy -> assertThat(copy.deliveredAt()).isNotNull());
    }
  }

  @Test
  void fanOutToAGroupGoesToItsMembersButTheSenderAndNoOneElse() throws Exception {
    try (AgentMessenger admin = running.messenger("alice")) {
      admin.createGroup("team", List.of("alice", "bob"));
    }
    TestSocket bob = running.hello("bob", "receive");
    TestSocket carol = running.hello("carol", "receive");
    TestSocket alice = running.hello("alice", "send-only");

    alice.sendMessage("g-1", "@team", "team only");
    JsonNode stored = alice.next("stored");
    String shared = stored.path("id").asText();
    assertThat(stored.path("to").asText()).isEqualTo("@team");
    assertThat(copies(stored)).containsExactly(Map.entry("bob", shared + ".bob"));
    JsonNode pushed = bob.next("message");
    assertThat(pushed.path("id").asText()).isEqualTo(shared + ".bob");
    assertThat(pushed.path("thread").asText()).isEqualTo(shared);

    alice.sendMessage("g-2", "carol", "just for carol");
    alice.next("stored");
    nextPushIs(carol, "just for carol");
    try (AgentMessenger reader = running.messenger("alice")) {
      assertThat(reader.status(shared)).extracting(Message::to).containsExactly("bob");
    }
  }

  @Test
  void aResentFanOutStoresNothingTwiceAndAnswersWithTheFirstIdsWhoeverJoinedSince()
      throws Exception {
    TestSocket bob = running.hello("bob", "receive");
    TestSocket alice = running.hello("alice", "send-only");
    String longClientId = "L".repeat(64); // its copies' client ids are cut and digested

    alice.sendMessage("r-1", "@all", "once");
    JsonNode first = alice.next("stored");
    alice.sendMessage(longClientId, "@all", "once, long id");
    JsonNode firstLong = alice.next("stored");
    try (AgentMessenger dave = running.messenger("dave")) {
      dave.register(AgentType.OTHER); // @all would now include dave
    }

    alice.sendMessage("r-1", "@all", "once");
    JsonNode again = alice.next("stored");
    assertThat(again.path("id").asText()).isEqualTo(first.path("id").asText());
    assertThat(copies(again)).isEqualTo(copies(first)).containsOnlyKeys("bob", "carol");
    alice.sendMessage(longClientId, "@all", "once, long id");
    assertThat(copies(alice.next("stored"))).isEqualTo(copies(firstLong));

    String bobsCopy = copies(first).get("bob");
    JsonNode pushed = bob.next("message");
    assertThat(pushed.path("id").asText()).isEqualTo(bobsCopy);
    bob.ack(bobsCopy);
    assertThat(alice.next("delivered").path("id").asText()).isEqualTo(bobsCopy);
    String bobsLongCopy = copies(firstLong).get("bob");
    assertThat(bob.next("message").path("id").asText()).isEqualTo(bobsLongCopy);

    // After delivery, a resend answers stored and then delivered for the delivered copy.
    alice.sendMessage("r-1", "@all", "once");
    assertThat(copies(alice.next("stored"))).isEqualTo(copies(first));
    JsonNode delivered = alice.next("delivered");
    assertThat(delivered.path("id").asText()).isEqualTo(bobsCopy);
    assertThat(delivered.path("to").asText()).isEqualTo("bob");

    alice.sendMessage("r-2", "bob", "after the resends");
    alice.next("stored");
    nextPushIs(bob, "after the resends");
    try (AgentMessenger reader = running.messenger("bob")) {
      assertThat(reader.history(10)).hasSize(3);
    }
    try (AgentMessenger reader = running.messenger("dave")) {
      assertThat(reader.history(10)).isEmpty();
    }
  }

  @Test
  void aFanOutToNoOneIsAnErrorWithFileModesCodeAndTheClientId() throws Exception {
    try (AgentMessenger admin = running.messenger("alice")) {
      admin.createGroup("solo", List.of("alice"));
    }
    TestSocket alice = running.hello("alice", "send-only");

    alice.sendMessage("e-1", "@nosuchgroup", "hi");
    JsonNode unknown = alice.next("error");
    assertThat(unknown.path("code").asText()).isEqualTo("unknown-group");
    assertThat(unknown.path("ref").asText()).isEqualTo("e-1");
    assertThat(unknown.path("message").asText()).contains("nosuchgroup");

    alice.sendMessage("e-2", "@solo", "hi");
    JsonNode noOne = alice.next("error");
    assertThat(noOne.path("code").asText()).isEqualTo("no-recipients");
    assertThat(noOne.path("ref").asText()).isEqualTo("e-2");

    alice.sendMessage("e-3", "@../x", "hi");
    JsonNode invalid = alice.next("error");
    assertThat(invalid.path("code").asText()).isEqualTo("invalid-agent-name");
    assertThat(invalid.path("ref").asText()).isEqualTo("e-3");

    // The codes are file mode's, and the connection still sends.
    try (AgentMessenger fileMode = running.messenger("alice")) {
      assertThatThrownBy(() -> fileMode.send(MessageDraft.to("@nosuchgroup", "hi")))
          .isInstanceOfSatisfying(
              AgentMsgException.class, e -> assertThat(e.code()).isEqualTo("unknown-group"));
      assertThatThrownBy(() -> fileMode.send(MessageDraft.to("@solo", "hi")))
          .isInstanceOfSatisfying(
              AgentMsgException.class, e -> assertThat(e.code()).isEqualTo("no-recipients"));
    }
    alice.sendMessage("e-4", "@all", "still here");
    assertThat(copies(alice.next("stored"))).containsOnlyKeys("bob", "carol");
  }

  @Test
  void aFanOutInABurstOfOtherSendsAndResendsIsStoredOnceAndPushedInOrder() throws Exception {
    TestSocket bob = running.hello("bob", "receive");
    TestSocket carol = running.hello("carol", "receive");
    TestSocket alice = running.hello("alice", "send-only");
    alice.sendMessage("old", "bob", "stored before");
    String old = alice.next("stored").path("id").asText();
    nextPushIs(bob, "stored before");

    // Back to back, so that they likely share a batch: the resend of "old" makes the writer apply
    // the batch again with look-ups, which must not store the fan-out twice either.
    alice.sendMessage("b-1", "bob", "before");
    alice.sendMessage("b-all", "@all", "to all");
    alice.sendMessage("old", "bob", "stored before");
    alice.sendMessage("b-all", "@all", "to all");
    alice.sendMessage("b-2", "carol", "after");
    Map<String, List<JsonNode>> stored = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      JsonNode frame = alice.nextOf("stored");
      stored.computeIfAbsent(frame.path("clientId").asText(), key -> new ArrayList<>()).add(frame);
    }
    assertThat(stored.get("old"))
        .singleElement()
        .satisfies(f -> assertThat(f.path("id").asText()).isEqualTo(old));
    List<JsonNode> fanOuts = stored.get("b-all");
    assertThat(fanOuts).hasSize(2);
    assertThat(copies(fanOuts.get(1))).isEqualTo(copies(fanOuts.get(0)));
    Map<String, String> copies = copies(fanOuts.get(0));

    assertThat(pushedBodies(bob, 2)).containsExactly("before", "to all");
    assertThat(pushedBodies(carol, 2)).containsExactly("to all", "after");
    alice.sendMessage("b-3", "bob", "last");
    alice.nextOf("stored");
    nextPushIs(bob, "last");
    try (AgentMessenger reader = running.messenger("alice")) {
      assertThat(reader.status(fanOuts.get(0).path("id").asText()))
          .extracting(Message::id)
          .containsExactlyInAnyOrderElementsOf(copies.values());
    }
  }

  /** The bodies of the next {@code count} pushes, acked, checking that their seqs increase. */
  private static List<String> pushedBodies(TestSocket socket, int count) throws Exception {
    List<String> bodies = new ArrayList<>();
    long lastSeq = 0;
    for (int i = 0; i < count; i++) {
      JsonNode message = socket.nextOf("message");
      assertThat(message.path("seq").asLong()).isGreaterThan(lastSeq);
      lastSeq = message.path("seq").asLong();
      bodies.add(message.path("message").asText());
      socket.ack(message.path("id").asText());
    }
    return bodies;
  }
}
