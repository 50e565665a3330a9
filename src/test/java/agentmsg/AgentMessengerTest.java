package agentmsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMessengerTest {
  @TempDir Path home;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private AgentMessenger alice;
  private AgentMessenger bob;

  @BeforeEach
  void openTwoAgents() {
    alice = open("alice");
    bob = open("bob");
    alice.register(AgentType.CLAUDE_CODE);
    bob.register(AgentType.CODEX);
  }

  @AfterEach
  void close() {
    alice.close();
    bob.close();
  }

  private AgentMessenger open(String agent) {
    return AgentMessenger.open(
        Options.builder()
            .home(home)
            .agent(agent)
            .pollInterval(Duration.ofMillis(200))
            .warningListener(warnings::add)
            .build());
  }

  @Test
  void sendStoresTheMessageAndMirrorsItInBothFolders() throws Exception {
    Message sent = alice.send("bob", "can you run the tests?");

    assertThat(sent.id()).hasSize(26);
    assertThat(sent.from()).isEqualTo("alice");
    assertThat(sent.to()).isEqualTo("bob");
    assertThat(sent.status()).isEqualTo(MessageStatus.STORED);
    Path inboxFile = home.resolve("inbox/bob/" + sent.id() + ".json");
    Path outboxFile = home.resolve("outbox/alice/" + sent.id() + ".json");
    assertThat(inboxFile).exists();
    assertThat(outboxFile).exists();
    assertThat(Files.readString(inboxFile))
        .contains("\"from\":\"alice\"", "\"to\":\"bob\"", "\"message\":\"can you run the tests?\"");
    assertThat(home.resolve("tmp")).isEmptyDirectory();
  }

  @Test
  void checkInboxReturnsUnreadOldestFirstAndMarksThemRead() {
    alice.send("bob", "one");
    alice.send("bob", "two");
    alice.send("bob", "three");

    List<Message> first = bob.checkInbox();
    assertThat(first).extracting(Message::body).containsExactly("one", "two", "three");
    assertThat(first)
        .allSatisfy(message -> assertThat(message.status()).isEqualTo(MessageStatus.READ));
    assertThat(bob.checkInbox()).isEmpty();
    assertThat(bob.history(100)).extracting(Message::body).containsExactly("one", "two", "three");
    assertThat(bob.history(2)).extracting(Message::body).containsExactly("two", "three");
  }

  @Test
  void sendToAnUnregisteredAgentFailsAndStoresNothing() {
    assertThatThrownBy(() -> alice.send("nobody", "hello"))
        .isInstanceOf(UnknownAgentException.class)
        .hasMessageContaining("agent-msg list")
        .extracting(e -> ((AgentMsgException) e).code())
        .isEqualTo("unknown-agent");
    assertThat(home.resolve("inbox/nobody")).doesNotExist();
  }

  @Test
  void emptyAndOversizedBodiesAreRefused() {
    assertThatThrownBy(() -> alice.send("bob", ""))
        .isInstanceOf(InvalidMessageException.class)
        .extracting(e -> ((AgentMsgException) e).code())
        .isEqualTo("empty-message");
    String big = "é".repeat(Options.MAX_MESSAGE_BYTES_LIMIT / 2 + 1);
    assertThatThrownBy(() -> alice.send("bob", big))
        .isInstanceOf(MessageTooLargeException.class)
        .hasMessageContaining("1000002 bytes");
    assertThat(bob.unread()).isEmpty();
  }

  @Test
  void theLargestAllowedBodyRoundTrips() {
    String body = "x".repeat(Options.MAX_MESSAGE_BYTES_LIMIT);
    alice.send("bob", body);
    assertThat(bob.checkInbox()).singleElement().extracting(Message::body).isEqualTo(body);
  }

  @Test
  void sendingAgainWithTheSameIdStoresOneMessage() {
    Message first = alice.send("bob", "once", "my-key-1");
    Message again = alice.send("bob", "once", "my-key-1");
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.seq()).isEqualTo(first.seq());
    assertThat(bob.history(10)).hasSize(1);
  }

  @Test
  void reRegisteringUpdatesTheTypeAndKeepsHistory() {
    alice.send("bob", "kept");
    Agent before = bob.findAgent("bob").orElseThrow();
    Agent after = bob.register(AgentType.OPENCLAW);
    assertThat(after.type()).isEqualTo(AgentType.OPENCLAW);
    assertThat(after.registeredAt()).isEqualTo(before.registeredAt());
    assertThat(bob.unread()).extracting(Message::body).containsExactly("kept");
  }

  @Test
  void anUnregisteredSenderIsRegisteredAsOtherWithAWarning() {
    try (AgentMessenger carol = open("carol")) {
      carol.send("bob", "hi from carol");
      assertThat(carol.findAgent("carol")).get().extracting(Agent::type).isEqualTo(AgentType.OTHER);
    }
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("registered sender 'carol'"));
  }

  @Test
  void readingAnUnregisteredInboxFails() {
    try (AgentMessenger ghost = open("ghost")) {
      assertThatThrownBy(ghost::unread).isInstanceOf(UnknownAgentException.class);
      assertThatThrownBy(ghost::openInbox).isInstanceOf(UnknownAgentException.class);
    }
  }

  @Test
  void waitForMessagesWakesWhenAMessageArrives() throws Exception {
    try (InboxReader reader = bob.openInbox()) {
      CompletableFuture<List<Message>> waiting =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return reader.next(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      alice.send("bob", "wake up");
      assertThat(waiting.get(30, TimeUnit.SECONDS))
          .extracting(Message::body)
          .containsExactly("wake up");
    }
  }

  @Test
  void waitForMessagesReturnsNothingOnTimeout() throws Exception {
    assertThat(bob.waitForMessages(Duration.ofMillis(50))).isEmpty();
  }

  @Test
  void aReaderNeverReturnsAMessageTwice() throws Exception {
    try (InboxReader reader = bob.openInbox()) {
      alice.send("bob", "first");
      List<Message> got = reader.next(Duration.ofSeconds(10));
      assertThat(got).extracting(Message::body).containsExactly("first");
      // Not marked read: a second call must still not hand it out again.
      alice.send("bob", "second");
      assertThat(reader.next(Duration.ofSeconds(10)))
          .extracting(Message::body)
          .containsExactly("second");
    }
  }

  @Test
  void messagesFromOneSenderKeepTheirOrder() {
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add("message " + i);
      alice.send("bob", "message " + i);
    }
    assertThat(bob.checkInbox()).extracting(Message::body).containsExactlyElementsOf(sent);
  }

  @Test
  void deletingMirrorFilesLosesNothing() throws Exception {
    Message sent = alice.send("bob", "still here");
    Files.delete(home.resolve("inbox/bob/" + sent.id() + ".json"));
    Files.delete(home.resolve("outbox/alice/" + sent.id() + ".json"));
    assertThat(bob.checkInbox()).extracting(Message::id).containsExactly(sent.id());
  }

  @Test
  void nonAsciiAndMultiLineBodiesSurviveUnchanged() throws Exception {
    String body = "Grüße, 世界 🚀\nline two\n\ttabbed \"quoted\" \\ backslash";
    Message sent = alice.send("bob", body);
    assertThat(bob.checkInbox()).singleElement().extracting(Message::body).isEqualTo(body);
    assertThat(
            Files.readString(
                home.resolve("inbox/bob/" + sent.id() + ".json"), StandardCharsets.UTF_8))
        .contains("Grüße, 世界 🚀\\nline two");
  }
}
