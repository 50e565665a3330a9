package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import agentmsg.MessageStatus;
import agentmsg.Options;
import agentmsg.internal.mailbox.MailboxLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real server on port 0 over a real H2 store, with real WebSocket clients. */
class ServerIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @RegisterExtension final RunningServer running = new RunningServer(CLIENT);

  @Test
  void roundTripWithAckTellsTheSenderDelivered() throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    TestSocket bob = running.hello("bob", "send-only");

    bob.sendMessage("c-1", "alice", "hello alice");
    JsonNode stored = bob.next("stored");
    assertThat(stored.path("clientId").asText()).isEqualTo("c-1");
    String id = stored.path("id").asText();

    JsonNode pushed = alice.next("message");
    assertThat(pushed.path("id").asText()).isEqualTo(id);
    assertThat(pushed.path("from").asText()).isEqualTo("bob");
    assertThat(pushed.path("message").asText()).isEqualTo("hello alice");
    assertThat(pushed.path("seq").asLong()).isEqualTo(stored.path("seq").asLong());

    alice.ack(id);
    JsonNode delivered = bob.next("delivered");
    assertThat(delivered.path("id").asText()).isEqualTo(id);
    assertThat(delivered.path("clientId").asText()).isEqualTo("c-1");
    assertThat(delivered.path("to").asText()).isEqualTo("alice");

    try (AgentMessenger reader = running.messenger("alice")) {
      assertThat(reader.unread()).as("an acked message is not shown again by inbox").isEmpty();
      Message message = reader.history(10).get(0);
      assertThat(message.id()).isEqualTo(id);
      assertThat(message.deliveredAt()).isNotNull();
      assertThat(message.status()).isEqualTo(MessageStatus.READ);
    }
  }

  @Test
  void aRecipientGetsItsMessagesInSequenceOrderWhenItAlsoWritesToItself() throws Exception {
    // Cumulative acks ("everything up to seq N") are only safe if pushes come in seq order, also
    // when one batch holds messages to oneself and messages from others.
    TestSocket alice = running.hello("alice", "receive");
    TestSocket bob = running.hello("bob", "send-only");
    int each = 200;
    for (int i = 0; i < each; i++) {
      alice.sendMessage("self-" + i, "alice", "note " + i);
      bob.sendMessage("bob-" + i, "alice", "from bob " + i);
    }
    long lastSeq = 0;
    for (int received = 0; received < 2 * each; ) {
      JsonNode frame = alice.next();
      if (!frame.path("type").asText().equals("message")) {
        continue;
      }
      long seq = frame.path("seq").asLong();
      assertThat(seq).as("seq of push %d", received).isGreaterThan(lastSeq);
      lastSeq = seq;
      alice.ack(frame.path("id").asText());
      received++;
    }
  }

  @Test
  void offlineRecipientGetsItsMessagesInOrderOnConnect() throws Exception {
    TestSocket bob = running.hello("bob", "send-only");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      bob.sendMessage("c-" + i, "alice", "message " + i);
      ids.add(bob.next("stored").path("id").asText());
    }

    TestSocket alice = running.hello("alice", "receive");
    List<String> received = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JsonNode pushed = alice.next("message");
      assertThat(pushed.path("message").asText()).isEqualTo("message " + i);
      received.add(pushed.path("id").asText());
    }
    assertThat(received).containsExactlyElementsOf(ids);
  }

  @Test
  void resendWithTheSameClientIdIsStoredOnce() throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    TestSocket bob = running.hello("bob", "send-only");

    bob.sendMessage("same", "alice", "once");
    String first = bob.next("stored").path("id").asText();
    bob.sendMessage("same", "alice", "once");
    assertThat(bob.next("stored").path("id").asText()).isEqualTo(first);

    JsonNode pushed = alice.next("message");
    assertThat(pushed.path("id").asText()).isEqualTo(first);
    alice.ack(first);
    bob.next("delivered");

    // A resend after delivery answers stored and delivered at once, still with the first id.
    bob.sendMessage("same", "alice", "once");
    assertThat(bob.next("stored").path("id").asText()).isEqualTo(first);
    assertThat(bob.next("delivered").path("id").asText()).isEqualTo(first);
    try (AgentMessenger reader = running.messenger("alice")) {
      assertThat(reader.history(10)).hasSize(1);
    }
  }

  @Test
  void aResendAmongNewSendsKeepsItsFirstIdAndTheOthersAreStored() throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    TestSocket bob = running.hello("bob", "send-only");
    bob.sendMessage("same", "alice", "once");
    String first = bob.next("stored").path("id").asText();

    // Sent back to back, so that they likely share a batch: the resend must not cost the others.
    for (int i = 0; i < 20; i++) {
      bob.sendMessage("new-" + i, "alice", "fresh " + i);
      bob.sendMessage("same", "alice", "once");
    }
    Map<String, Set<String>> idsByClientId = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      JsonNode stored = bob.next("stored");
      idsByClientId
          .computeIfAbsent(stored.path("clientId").asText(), key -> new HashSet<>())
          .add(stored.path("id").asText());
    }
    assertThat(idsByClientId.get("same")).containsExactly(first);
    for (int i = 0; i < 20; i++) {
      assertThat(idsByClientId.get("new-" + i)).hasSize(1).doesNotContain(first);
    }
    List<String> pushed = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      pushed.add(alice.next("message").path("message").asText());
    }
    assertThat(pushed).first().isEqualTo("once");
    assertThat(pushed).containsOnlyOnce("once").hasSize(21);
    try (AgentMessenger reader = running.messenger("alice")) {
      assertThat(reader.history(100)).hasSize(21);
    }
  }

  @Test
  void aMessageStoredThroughTheServerIsMirroredWithItsThreadReplySubjectAndPriority()
      throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    TestSocket bob = running.hello("bob", "send-only");
    bob.send(
        "{\"type\":\"send\",\"clientId\":\"c-1\",\"to\":\"alice\",\"message\":\"the plan\","
            + "\"thread\":\"t-1\",\"replyTo\":\"m-0\",\"subject\":\"release\","
            + "\"priority\":\"high\"}");
    String id = bob.next("stored").path("id").asText();
    alice.next("message");

    Path file = new MailboxLayout(running.home()).inboxFile("alice", id);
    JsonNode mirrored = awaitFile(file);

    assertThat(mirrored.path("thread").asText()).isEqualTo("t-1");
    assertThat(mirrored.path("replyTo").asText()).isEqualTo("m-0");
    assertThat(mirrored.path("subject").asText()).isEqualTo("release");
    assertThat(mirrored.path("priority").asText()).isEqualTo("high");
  }

  /** The mirror file, once the server's mirror thread wrote it (it writes after answering). */
  private static JsonNode awaitFile(Path file) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (WatchService watch = file.getFileSystem().newWatchService()) {
      file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
      while (!Files.exists(file)) {
        long left = deadline - System.nanoTime();
        assertThat(left).as("mirror file " + file).isPositive();
        WatchKey key = watch.poll(Math.min(left, 1_000_000_000L), TimeUnit.NANOSECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
      }
    }
    return new ObjectMapper().readTree(Files.readAllBytes(file));
  }

  @Test
  void fileModeSendFromTheCliIsPushedToTheConnectedRecipient() throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    Message sent;
    try (AgentMessenger bob = running.messenger("bob")) {
      sent = bob.send("alice", "sent without the server");
    }
    JsonNode pushed = alice.next("message");
    assertThat(pushed.path("id").asText()).isEqualTo(sent.id());
    assertThat(pushed.path("message").asText()).isEqualTo("sent without the server");
  }

  @Test
  void secondReceivingConnectionIsRefusedUnlessItTakesOver() throws Exception {
    TestSocket first = running.hello("alice", "receive");

    TestSocket second = running.raw("alice");
    second.send("{\"type\":\"hello\",\"agent\":\"alice\"}");
    assertThat(second.next("error").path("code").asText()).isEqualTo("already-connected");
    assertThat(second.awaitClose()).isEqualTo(1008);

    // Send-only connections share the name.
    TestSocket sender = running.hello("alice", "send-only");
    sender.sendMessage("to-self", "alice", "still the first connection");
    assertThat(first.next("message").path("message").asText())
        .isEqualTo("still the first connection");

    TestSocket third = running.raw("alice");
    third.send("{\"type\":\"hello\",\"agent\":\"alice\",\"takeover\":true}");
    third.next("welcome");
    assertThat(first.nextOf("error").path("code").asText()).isEqualTo("taken-over");
    assertThat(first.awaitClose()).isEqualTo(1008);
    assertThat(third.next("message").path("message").asText())
        .as("the unacked message goes to the new connection")
        .isEqualTo("still the first connection");
  }

  @Test
  void badFramesAreAnsweredWithErrorsAndOtherClientsKeepWorking() throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    TestSocket bad = running.raw("bob");

    bad.send("this is not json");
    assertThat(bad.next("error").path("code").asText()).isEqualTo("bad-frame");
    bad.send("[1,2,3]");
    assertThat(bad.next("error").path("code").asText()).isEqualTo("bad-frame");
    bad.send("{\"type\":\"teleport\"}");
    assertThat(bad.next("error").path("code").asText()).isEqualTo("unknown-type");
    bad.send("{\"message\":\"no type\"}");
    assertThat(bad.next("error").path("code").asText()).isEqualTo("missing-field");
    bad.send("{\"type\":\"send\",\"clientId\":\"x1\",\"to\":\"alice\",\"message\":\"hi\"}");
    JsonNode notRegistered = bad.next("error");
    assertThat(notRegistered.path("code").asText()).isEqualTo("not-registered");
    assertThat(notRegistered.path("ref").asText()).isEqualTo("x1");
    bad.send("{\"type\":\"hello\",\"agent\":\"../etc\",\"role\":\"send-only\"}");
    assertThat(bad.next("error").path("code").asText()).isEqualTo("invalid-agent-name");
    bad.send("{\"type\":\"hello\",\"agent\":\"bob\",\"role\":\"send-only\"}");
    bad.next("welcome");
    bad.send("{\"type\":\"send\",\"clientId\":\"x2\",\"message\":\"no recipient\"}");
    assertThat(bad.next("error").path("code").asText()).isEqualTo("missing-field");
    bad.sendMessage("x3", "nobody", "to no one");
    JsonNode unknown = bad.next("error");
    assertThat(unknown.path("code").asText()).isEqualTo("unknown-agent");
    assertThat(unknown.path("ref").asText()).isEqualTo("x3");
    bad.sendMessage("x4", "alice", "x".repeat(Options.MAX_MESSAGE_BYTES_LIMIT + 1));
    JsonNode tooLarge = bad.next("error");
    assertThat(tooLarge.path("code").asText()).isEqualTo("message-too-large");
    assertThat(tooLarge.path("ref").asText()).isEqualTo("x4");

    // The connection survived all of that.
    bad.sendMessage("x5", "alice", "still here");
    bad.next("stored");
    assertThat(alice.next("message").path("message").asText()).isEqualTo("still here");

    // A frame over the hard limit closes only that connection, with 1009.
    bad.send("\"" + "y".repeat(AgentMsgServer.MAX_FRAME_BYTES + 10) + "\"");
    assertThat(bad.awaitClose()).isEqualTo(1009);
    TestSocket carol = running.hello("carol", "send-only");
    carol.sendMessage("c1", "alice", "server still up");
    carol.next("stored");
    assertThat(alice.next("message").path("message").asText()).isEqualTo("server still up");
  }

  @Test
  void clientOfTheOriginalProtocolExchangesMessagesWithOurs() throws Exception {
    TestSocket ours = running.hello("alice", "receive");
    TestSocket old = running.raw("bob");
    old.send("{\"type\":\"register\",\"agent\":\"bob\"}");
    JsonNode registered = old.next("registered");
    assertThat(registered.path("agent").asText()).isEqualTo("bob");

    old.send(
        "{\"type\":\"message\",\"id\":\"m8x2k1\",\"from\":\"bob\",\"to\":\"alice\","
            + "\"message\":\"hi from the old tool\",\"timestamp\":\"2026-01-02T03:04:05.000Z\"}");
    old.next("stored");
    JsonNode pushed = ours.next("message");
    assertThat(pushed.path("from").asText()).isEqualTo("bob");
    assertThat(pushed.path("message").asText()).isEqualTo("hi from the old tool");
    ours.ack(pushed.path("id").asText());
    assertThat(old.next("delivered").path("id").asText())
        .as("the original client matches delivered by the id it sent")
        .isEqualTo("m8x2k1");

    TestSocket alice = running.hello("alice", "send-only");
    alice.sendMessage("r1", "bob", "hi old tool");
    String replyId = alice.next("stored").path("id").asText();
    JsonNode reply = old.nextOf("message");
    assertThat(reply.path("id").asText()).isEqualTo(replyId);
    assertThat(reply.path("from").asText()).isEqualTo("alice");
    assertThat(reply.path("to").asText()).isEqualTo("bob");
    assertThat(reply.path("message").asText()).isEqualTo("hi old tool");
    assertThat(reply.path("timestamp").asText()).isNotEmpty();

    old.send("{\"type\":\"ping\"}");
    assertThat(old.nextOf("pong").path("timestamp").asLong()).isPositive();
    // The original client cannot ack: written to it is not delivered, and not read either.
    assertThat(alice.drain()).extracting(frame -> frame.path("type").asText()).isEmpty();
    try (AgentMessenger reader = running.messenger("bob")) {
      assertThat(reader.unread()).extracting(Message::id).containsExactly(replyId);
      assertThat(reader.status(replyId).get(0).status()).isEqualTo(MessageStatus.STORED);
    }
    old.send(
        "{\"type\":\"message\",\"id\":\"m9\",\"from\":\"mallory\",\"to\":\"alice\",\"message\":\"x\"}");
    JsonNode mismatch = old.nextOf("error");
    assertThat(mismatch.path("code").asText()).isEqualTo("from-mismatch");
    assertThat(mismatch.path("error").asText()).as("the original reads 'error'").isNotEmpty();
    assertThat(mismatch.path("id").asText()).isEqualTo("m9");
  }

  @Test
  void anOriginalProtocolConnectionNeverTakesAnOfflineAgentsMail() throws Exception {
    List<String> pending = new ArrayList<>();
    try (AgentMessenger alice = running.messenger("alice")) {
      for (int i = 0; i < 3; i++) {
        pending.add(alice.send("bob", "for bob " + i).id());
      }
    }
    // The original's `send -w -s bob` registers as bob, then sends: bob has no receiver, so this
    // connection is pushed bob's mail. It cannot ack, so that is only an attempt.
    TestSocket impostor = running.raw("bob");
    impostor.send("{\"type\":\"register\",\"agent\":\"bob\"}");
    impostor.next("registered");
    List<String> attempted = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      attempted.add(impostor.nextOf("message").path("id").asText());
    }
    assertThat(attempted).containsExactlyElementsOf(pending);
    impostor.send(
        "{\"type\":\"message\",\"id\":\"o1\",\"from\":\"bob\",\"to\":\"alice\",\"message\":\"x\"}");
    impostor.nextOf("stored");
    impostor.send("{\"type\":\"ping\"}");
    impostor.nextOf("pong"); // everything it sent is handled
    impostor.close();
    assertThat(impostor.awaitClose()).isPositive();
    try (AgentMessenger bob = running.messenger("bob")) {
      for (String id : pending) {
        assertThat(bob.status(id).get(0).status())
            .as("still pending: %s", id)
            .isEqualTo(MessageStatus.STORED);
      }
    }

    // bob's own `connect` gets every one of them, and acks them.
    TestSocket bob = running.hello("bob", "receive");
    List<String> received = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      JsonNode message = bob.nextOf("message");
      received.add(message.path("id").asText());
      bob.ack(message.path("id").asText());
    }
    assertThat(received).containsExactlyElementsOf(pending);
  }

  @Test
  void anOriginalSenderHearsDeliveredWhenItsMessageIsHandedToAnOriginalReceiver() throws Exception {
    TestSocket receiver = running.raw("bob");
    receiver.send("{\"type\":\"register\",\"agent\":\"bob\"}");
    receiver.next("registered");
    TestSocket sender = running.raw("alice");
    sender.send("{\"type\":\"register\",\"agent\":\"alice\"}");
    sender.next("registered");
    sender.send(
        "{\"type\":\"message\",\"id\":\"k7\",\"from\":\"alice\",\"to\":\"bob\",\"message\":\"hi\"}");
    JsonNode pushed = receiver.nextOf("message");
    assertThat(pushed.path("message").asText()).isEqualTo("hi");
    String id = pushed.path("id").asText();
    // As the original server said: handed to the recipient's connection (its `send --wait`
    // waits for this); the store still has it pending, since no one acked it.
    assertThat(sender.nextOf("delivered").path("id").asText()).isEqualTo("k7");
    try (AgentMessenger bob = running.messenger("bob")) {
      assertThat(bob.status(id).get(0).status()).isEqualTo(MessageStatus.STORED);
    }
  }

  @Test
  void pingTellsWhetherAnAgentHasAReceivingConnection() throws Exception {
    TestSocket asker = running.raw("carol");
    asker.send("{\"type\":\"ping\",\"agent\":\"alice\"}");
    JsonNode offline = asker.next("pong");
    assertThat(offline.path("agent").asText()).isEqualTo("alice");
    assertThat(offline.path("online").asBoolean()).isFalse();

    running.hello("alice", "receive");
    asker.send("{\"type\":\"ping\",\"agent\":\"alice\"}");
    assertThat(asker.next("pong").path("online").asBoolean()).isTrue();
  }

  @Test
  void inFlightIsCappedAndUnackedMessagesComeAgainAfterAReconnect() throws Exception {
    running.restart(ServerOptions.builder().maxInFlight(3));
    TestSocket bob = running.hello("bob", "send-only");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      bob.sendMessage("c-" + i, "alice", "m" + i);
      ids.add(bob.next("stored").path("id").asText());
    }

    TestSocket first = running.hello("alice", "receive");
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      seen.add(first.next("message").path("id").asText());
    }
    assertThat(seen).containsExactlyElementsOf(ids.subList(0, 3));
    first.ack(seen.get(0));
    assertThat(first.next("message").path("id").asText()).isEqualTo(ids.get(3));
    first.close();
    assertThat(first.awaitClose()).isEqualTo(1000);

    // Everything not acked comes again, in order, and acks let the rest through.
    TestSocket second = running.hello("alice", "receive");
    List<String> again = new ArrayList<>();
    while (again.size() < ids.size() - 1) {
      JsonNode pushed = second.next("message");
      again.add(pushed.path("id").asText());
      second.send("{\"type\":\"ack\",\"upTo\":" + pushed.path("seq").asLong() + "}");
    }
    assertThat(again).containsExactlyElementsOf(ids.subList(1, ids.size()));
  }

  @Test
  void restartLosesNothingAcknowledgedAndRedeliversWhatWasNotAcked() throws Exception {
    TestSocket bob = running.hello("bob", "send-only");
    TestSocket alice = running.hello("alice", "receive");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      bob.sendMessage("r-" + i, "alice", "m" + i);
      ids.add(bob.next("stored").path("id").asText());
    }
    for (int i = 0; i < 6; i++) {
      String id = alice.next("message").path("id").asText();
      if (i < 3) {
        alice.ack(id);
        bob.nextOf("delivered");
      }
    }

    running.server().stop();
    assertThat(alice.awaitClose()).isEqualTo(1001);
    running.restart(ServerOptions.builder());

    TestSocket again = running.hello("alice", "receive");
    List<String> redelivered = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      redelivered.add(again.next("message").path("id").asText());
    }
    assertThat(redelivered).containsExactlyElementsOf(ids.subList(3, 6));
    try (AgentMessenger reader = running.messenger("alice")) {
      assertThat(reader.history(10)).extracting(Message::id).containsExactlyElementsOf(ids);
    }
  }
}
