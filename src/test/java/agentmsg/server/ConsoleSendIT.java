package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.Agent;
import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.server.console.ConsoleCodes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The console's send takes the server's own send path: pushed to a connected recipient like a
 * WebSocket client's send, and refused with the same codes.
 */
class ConsoleSendIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @RegisterExtension final RunningServer running = new RunningServer(CLIENT);

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aSendFromThePageIsPushedToTheConnectedRecipientAndAcked() throws Exception {
    TestSocket bob = running.hello("bob", "receive");
    String cookie = signIn();

    HttpResponse<String> sent =
        post(cookie, "send", send("carla", "bob", "from the page").put("subject", "review"));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    JsonNode stored = JSON.readTree(sent.body()).get(0);

    JsonNode push = bob.next("message");
    assertThat(push.path("id").asText()).isEqualTo(stored.path("id").asText());
    assertThat(push.path("from").asText()).isEqualTo("carla");
    assertThat(push.path("message").asText()).isEqualTo("from the page");
    assertThat(push.path("subject").asText()).isEqualTo("review");
    try (AgentMessenger carla = running.messenger("carla")) {
      assertThat(carla.findAgent("carla").map(Agent::type)).contains(AgentType.HUMAN);
    }

    // The ack goes the way of any pushed message's. The writer takes a connection's frames in
    // order: once bob's next send is stored, the ack before it is committed.
    bob.ack(push.path("id").asText());
    bob.sendMessage("after-ack", "alice", "next");
    bob.nextOf("stored");
    JsonNode read =
        JSON.readTree(get(cookie, "thread?id=" + stored.path("thread").asText()).body()).get(0);
    assertThat(read.path("delivered").isNull()).as("delivered: %s", read).isFalse();
  }

  @Test
  void aReplyFromThePageGoesToTheOriginalsSenderInItsThread() throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    TestSocket bob = running.hello("bob", "send-only");
    bob.sendMessage("q1", "alice", "who reviews?");
    JsonNode original = alice.next("message");
    String cookie = signIn();

    ObjectNode reply = JSON.createObjectNode();
    reply.put("from", "carla").put("body", "I do").put("replyTo", original.path("id").asText());
    HttpResponse<String> sent = post(cookie, "send", reply);
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    // To the original's sender (bob), who is not connected to receive; alice gets nothing.
    JsonNode stored = JSON.readTree(sent.body()).get(0);
    assertThat(stored.path("to").asText()).isEqualTo("bob");
    assertThat(stored.path("thread").asText()).isEqualTo(original.path("thread").asText());
    assertThat(stored.path("replyTo").asText()).isEqualTo(original.path("id").asText());
  }

  @Test
  void badInputFromThePageGetsTheErrorCodeOfTheWire() throws Exception {
    TestSocket wire = running.hello("carol", "send-only");
    String cookie = signIn();
    Map<String, ObjectNode> cases = new LinkedHashMap<>();
    cases.put("empty", send("carol", "alice", ""));
    cases.put("unknown recipient", send("carol", "nobody", "hi"));
    cases.put("bad recipient", send("carol", "../etc", "hi"));
    cases.put("too large", send("carol", "alice", "x".repeat(1_000_001)));
    cases.put("bad priority", send("carol", "alice", "hi").put("priority", "huge"));
    cases.put("long subject", send("carol", "alice", "hi").put("subject", "s".repeat(1_001)));
    int n = 0;
    for (Map.Entry<String, ObjectNode> entry : cases.entrySet()) {
      ObjectNode page = entry.getValue();
      ObjectNode frame = JSON.createObjectNode();
      frame.put("type", "send").put("clientId", "c" + n++);
      frame.put("to", page.path("to").asText()).put("message", page.path("body").asText());
      for (String field : new String[] {"priority", "subject"}) {
        if (page.has(field)) {
          frame.put(field, page.path(field).asText());
        }
      }
      wire.send(JSON.writeValueAsString(frame));
      String wireCode = wire.next("error").path("code").asText();

      HttpResponse<String> refused = post(cookie, "send", page);
      assertThat(refused.statusCode()).as(entry.getKey()).isEqualTo(400);
      assertThat(JSON.readTree(refused.body()).path("error").asText())
          .as(entry.getKey())
          .isEqualTo(wireCode);
    }
    HttpResponse<String> badName = post(cookie, "send", send("../me", "alice", "hi"));
    assertThat(JSON.readTree(badName.body()).path("error").asText())
        .isEqualTo("invalid-agent-name");
    HttpResponse<String> refusedNewcomer = post(cookie, "send", send("dora", "alice", ""));
    assertThat(JSON.readTree(refusedNewcomer.body()).path("error").asText())
        .isEqualTo("empty-message");
    try (AgentMessenger carol = running.messenger("carol")) {
      assertThat(carol.findAgent("dora")).as("a refused send registers nobody").isEmpty();
    }
  }

  private static ObjectNode send(String from, String to, String body) {
    ObjectNode send = JSON.createObjectNode();
    send.put("from", from).put("to", to).put("body", body);
    return send;
  }

  private String base() {
    return "http://127.0.0.1:" + running.server().port() + "/console/api/";
  }

  private String signIn() throws Exception {
    String code = ConsoleCodes.mint(running.home());
    HttpResponse<String> session =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "session"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + code + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
    return session.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
  }

  private HttpResponse<String> post(String cookie, String call, JsonNode body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base() + call))
            .header("Cookie", cookie)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String cookie, String call) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base() + call)).header("Cookie", cookie).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
