package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.Options;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read frames ({@code list}, {@code history}, {@code status}) on a real server over a real
 * store, with token-authenticated connections: each agent reads only its own mail.
 */
class ServerReadsIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @RegisterExtension final RunningServer running = new RunningServer(CLIENT);

  private Message send(String from, String to, String body) {
    try (AgentMessenger messenger = running.messenger(from)) {
      return messenger.send(to, body);
    }
  }

  private TestSocket hello(String agent) throws Exception {
    return running.hello(agent, "send-only");
  }

  private static List<String> ids(JsonNode answer) {
    List<String> ids = new ArrayList<>();
    for (JsonNode message : answer.path("messages")) {
      ids.add(message.path("id").asText());
    }
    return ids;
  }

  @Test
  void historyAnswersWithTheAgentsOwnMessagesOnlyNewestFirst() throws Exception {
    Message aliceToBob = send("alice", "bob", "secret plan for bob");
    Message bobToAlice = send("bob", "alice", "secret answer for alice");
    Message bobToCarol = send("bob", "carol", "hello carol");

    TestSocket carol = hello("carol");
    carol.send("{\"type\":\"history\",\"ref\":\"h1\"}");
    JsonNode answer = carol.next("history");
    assertThat(answer.path("ref").asText()).isEqualTo("h1");
    assertThat(ids(answer)).containsExactly(bobToCarol.id());
    assertThat(answer.path("messages").get(0).path("status").asText()).isEqualTo("stored");

    carol.send("{\"type\":\"history\",\"ref\":\"h2\",\"with\":\"alice\"}");
    assertThat(ids(carol.next("history"))).isEmpty();
    carol.send("{\"type\":\"history\",\"ref\":\"h3\",\"search\":\"secret\"}");
    assertThat(ids(carol.next("history"))).isEmpty();
    carol.send("{\"type\":\"history\",\"ref\":\"h4\",\"thread\":\"" + aliceToBob.id() + "\"}");
    assertThat(ids(carol.next("history"))).as("a thread named by another's message").isEmpty();

    TestSocket alice = hello("alice");
    alice.send("{\"type\":\"history\",\"ref\":\"h5\",\"search\":\"secret\",\"limit\":10}");
    assertThat(ids(alice.next("history"))).containsExactly(bobToAlice.id(), aliceToBob.id());
  }

  @Test
  void statusOfAMessageOfOthersIsAnUnknownMessageAsIfThereWereNone() throws Exception {
    Message aliceToBob = send("alice", "bob", "between us");

    TestSocket carol = hello("carol");
    carol.send("{\"type\":\"status\",\"ref\":\"s1\",\"id\":\"" + aliceToBob.id() + "\"}");
    JsonNode refused = carol.next("error");
    assertThat(refused.path("code").asText()).isEqualTo("unknown-message");
    assertThat(refused.path("ref").asText()).isEqualTo("s1");
    assertThat(refused.toString()).doesNotContain("between us");
    carol.send("{\"type\":\"status\",\"ref\":\"s2\",\"id\":\"no-such-id\"}");
    JsonNode missing = carol.next("error");
    assertThat(missing.path("code").asText()).isEqualTo("unknown-message");
    assertThat(missing.path("message").asText())
        .isEqualTo(refused.path("message").asText().replace(aliceToBob.id(), "no-such-id"));

    for (String party : List.of("alice", "bob")) {
      TestSocket socket = hello(party);
      socket.send("{\"type\":\"status\",\"ref\":\"s3\",\"id\":\"" + aliceToBob.id() + "\"}");
      JsonNode answer = socket.next("status");
      assertThat(answer.path("ref").asText()).isEqualTo("s3");
      assertThat(answer.path("id").asText()).isEqualTo(aliceToBob.id());
      assertThat(ids(answer)).containsExactly(aliceToBob.id());
      assertThat(answer.path("messages").get(0).path("message").asText()).isEqualTo("between us");
    }
  }

  @Test
  void statusOfABroadcastShowsARecipientOnlyItsOwnCopy() throws Exception {
    List<Message> copies;
    try (AgentMessenger alice = running.messenger("alice")) {
      copies = alice.send(MessageDraft.to("@all", "to everyone"));
    }
    assertThat(copies).hasSize(2);
    String shared = copies.get(0).thread();

    TestSocket bob = hello("bob");
    bob.send("{\"type\":\"status\",\"ref\":\"s1\",\"id\":\"" + shared + "\"}");
    JsonNode answer = bob.next("status");
    assertThat(answer.path("messages")).hasSize(1);
    assertThat(answer.path("messages").get(0).path("to").asText()).isEqualTo("bob");

    TestSocket alice = hello("alice");
    alice.send("{\"type\":\"status\",\"ref\":\"s2\",\"id\":\"" + shared + "\"}");
    assertThat(alice.next("status").path("messages")).hasSize(2);
  }

  @Test
  void listAnswersEveryRegisteredAgent() throws Exception {
    TestSocket carol = hello("carol");
    carol.send("{\"type\":\"list\",\"ref\":\"l1\"}");
    JsonNode answer = carol.next("agents");
    assertThat(answer.path("ref").asText()).isEqualTo("l1");
    List<String> names = new ArrayList<>();
    for (JsonNode agent : answer.path("agents")) {
      names.add(agent.path("name").asText());
      assertThat(agent.path("type").asText()).isEqualTo("other");
    }
    assertThat(names).containsExactly("alice", "bob", "carol");
  }

  @Test
  void readsBeforeHelloAreRefused() throws Exception {
    TestSocket socket =
        TestSocket.connectAs(CLIENT.get(), running.server().uri(), running.home(), "carol");
    running.track(socket);
    socket.send("{\"type\":\"history\",\"ref\":\"h1\"}");
    JsonNode refused = socket.next("error");
    assertThat(refused.path("code").asText()).isEqualTo("not-registered");
    assertThat(refused.path("ref").asText()).isEqualTo("h1");
  }

  @Test
  void historyIsLimitedInRowsAndInBytes() throws Exception {
    try (AgentMessenger bob = running.messenger("bob")) {
      for (int i = 0; i < 25; i++) {
        bob.send("alice", "note " + i);
      }
    }
    TestSocket alice = hello("alice");
    alice.send("{\"type\":\"history\",\"ref\":\"h1\"}");
    JsonNode byDefault = alice.next("history");
    assertThat(byDefault.path("count").asInt()).isEqualTo(Reads.DEFAULT_HISTORY);
    assertThat(byDefault.path("messages").get(0).path("message").asText()).isEqualTo("note 24");
    alice.send("{\"type\":\"history\",\"ref\":\"h2\",\"limit\":501}");
    JsonNode tooMany = alice.next("error");
    assertThat(tooMany.path("code").asText()).isEqualTo("invalid-field");
    assertThat(tooMany.path("ref").asText()).isEqualTo("h2");
    alice.send("{\"type\":\"history\",\"ref\":\"h3\",\"since\":\"yesterday\"}");
    assertThat(alice.next("error").path("code").asText()).isEqualTo("invalid-field");

    String big = "x".repeat(Options.MAX_MESSAGE_BYTES_LIMIT);
    try (AgentMessenger carol = running.messenger("carol")) {
      for (int i = 0; i < 10; i++) {
        carol.send("alice", big);
      }
    }
    alice.send("{\"type\":\"history\",\"ref\":\"h4\",\"with\":\"carol\",\"limit\":10}");
    JsonNode capped = alice.next("history");
    assertThat(capped.path("truncated").asBoolean()).isTrue();
    assertThat(capped.path("count").asInt())
        .isEqualTo(Reads.MAX_ANSWER_BYTES / Options.MAX_MESSAGE_BYTES_LIMIT);
  }

  @Test
  void aSendCarriesItsThreadReplySubjectAndPriorityIntoTheStoreAndThePush() throws Exception {
    Message question = send("alice", "bob", "question");
    TestSocket alice = TestSocket.hello(CLIENT.get(), running.server(), "alice", "receive");
    running.track(alice);
    TestSocket bob = hello("bob");
    bob.send(
        "{\"type\":\"send\",\"clientId\":\"c1\",\"to\":\"alice\",\"message\":\"answer\","
            + "\"thread\":\""
            + question.thread()
            + "\",\"replyTo\":\""
            + question.id()
            + "\",\"priority\":\"urgent\",\"subject\":\"Re: question\"}");
    String id = bob.next("stored").path("id").asText();
    JsonNode pushed = alice.next("message");
    assertThat(pushed.path("id").asText()).isEqualTo(id);
    assertThat(pushed.path("thread").asText()).isEqualTo(question.thread());
    assertThat(pushed.path("replyTo").asText()).isEqualTo(question.id());
    assertThat(pushed.path("priority").asText()).isEqualTo("urgent");
    assertThat(pushed.path("subject").asText()).isEqualTo("Re: question");
    try (AgentMessenger reader = running.messenger("alice")) {
      Message stored = reader.message(id).orElseThrow();
      assertThat(stored.thread()).isEqualTo(question.thread());
      assertThat(stored.replyTo()).isEqualTo(question.id());
      assertThat(stored.priority().id()).isEqualTo("urgent");
      assertThat(stored.subject()).isEqualTo("Re: question");
    }

    bob.send(
        "{\"type\":\"send\",\"clientId\":\"c2\",\"to\":\"alice\",\"message\":\"x\","
            + "\"priority\":\"whenever\"}");
    JsonNode refused = bob.next("error");
    assertThat(refused.path("code").asText()).isEqualTo("invalid-field");
    assertThat(refused.path("ref").asText()).isEqualTo("c2");
  }
}
