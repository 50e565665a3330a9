package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.HistoryQuery;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.Options;
import agentmsg.Priority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data homes made by earlier schemas upgrade in place, keeping every row. */
class UpgradeTest {
  @TempDir Path home;

  /**
   * A store migrated only up to {@code version}, as an earlier release left it, holding the agents
   * alice and bob; the caller adds its rows through the returned connection and closes it.
   */
  private Connection storeAtVersion(String version) throws Exception {
    String url = "jdbc:h2:file:" + home.toAbsolutePath().resolve(Store.FILE_NAME);
    Flyway.configure()
        .dataSource(url, "sa", "")
        .locations("classpath:db/migration")
        .target(version)
        .load()
        .migrate();
    Connection connection = DriverManager.getConnection(url, "sa", "");
    try (Statement sql = connection.createStatement()) {
      sql.execute(
          "INSERT INTO agent VALUES ('alice', 'claude-code', 1000, 1000), ('bob', 'codex', 1000,"
              + " 1000)");
      return connection;
    } catch (Exception e) {
      connection.close();
      throw e;
    }
  }

  /** Bob's messenger on the home: opening it is what upgrades the store. */
  private AgentMessenger bob() {
    return AgentMessenger.open(
        Options.builder().home(home).agent("bob").warningListener(w -> {}).build());
  }

  @Test
  void aVersionTwoDatabaseUpgradesInPlaceWithoutLoss() throws Exception {
    try (Connection connection = storeAtVersion("2");
        Statement sql = connection.createStatement()) {
      sql.execute(
          "INSERT INTO message (id, sender, recipient, body, created_at, read_at) VALUES"
              + " ('old-1', 'alice', 'bob', 'Grüße from the first release', 2000, 3000),"
              + " ('old-2', 'bob', 'alice', 'deploy v1.2 tonight?', 4000, NULL)");
      sql.execute(
          "INSERT INTO message (id, sender, recipient, body, created_at, client_id) VALUES"
              + " ('old-3', 'alice', 'bob', 'sent through the server', 5000, 'c-1')");
    }

    try (AgentMessenger bob = bob()) {
      List<Message> all = bob.history(HistoryQuery.newest(10));
      assertThat(all).extracting(Message::id).containsExactly("old-3", "old-2", "old-1");
      Message first = all.get(2);
      assertThat(first.thread()).isEqualTo("old-1");
      assertThat(first.priority()).isEqualTo(Priority.NORMAL);
      assertThat(first.readAt()).isNotNull();
      assertThat(first.body()).isEqualTo("Grüße from the first release");
      assertThat(bob.unread()).extracting(Message::id).containsExactly("old-3");

      // The old messages were indexed by the upgrade.
      assertThat(bob.history(HistoryQuery.newest(10).withText("grüße")))
          .extracting(Message::id)
          .containsExactly("old-1");
      assertThat(bob.history(HistoryQuery.newest(10).withText("V1.2 deploy")))
          .extracting(Message::id)
          .containsExactly("old-2");

      // New features work on the upgraded store.
      Message reply = bob.send(MessageDraft.reply(first, "bob", "thanks")).get(0);
      assertThat(reply.to()).isEqualTo("alice");
      assertThat(bob.thread("old-1")).extracting(Message::id).containsExactly("old-1", reply.id());
    }
    try (Store store = Store.open(home, java.time.Duration.ofSeconds(10))) {
      assertThat(store.call(Migrations::isCurrent)).isTrue();
      assertThat(store.call(ConversationRows::schemaVersion))
          .isEqualTo(String.valueOf(Migrations.LATEST_VERSION));
    }
  }

  @Test
  void aVersionSixHomeUpgradesAndItsFirstLookChecksEveryFile() throws Exception {
    try (Connection connection = storeAtVersion("6");
        Statement sql = connection.createStatement()) {
      sql.execute(
          "INSERT INTO message (id, sender, recipient, body, created_at, thread_id) VALUES"
              + " ('old-1', 'alice', 'bob', 'stored by the previous release', 2000, 'old-1')");
    }
    Path inbox = Files.createDirectories(home.resolve("inbox/bob"));
    Files.writeString(
        inbox.resolve("old-1.json"),
        "{\"id\":\"old-1\",\"from\":\"alice\",\"to\":\"bob\","
            + "\"message\":\"stored by the previous release\"}");
    // Dropped long ago, while the previous release was not looking.
    Path dropped = inbox.resolve("legacy-1.json");
    Files.writeString(
        dropped, "{\"id\":\"legacy-1\",\"from\":\"legacy-tool\",\"message\":\"waiting\"}");
    Files.setLastModifiedTime(dropped, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

    try (AgentMessenger bob = bob()) {
      assertThat(bob.unread()).extracting(Message::id).containsExactly("old-1", "legacy-1");
      assertThat(bob.unread()).hasSize(2);
    }
    try (Store store = Store.open(home, java.time.Duration.ofSeconds(10))) {
      assertThat(store.call(Migrations::isCurrent)).isTrue();
      Optional<MailStore.ScanMark> mark = store.call(handle -> InboxScanRows.find(handle, "bob"));
      assertThat(mark).isPresent();
    }
  }

  @Test
  void aVersionSevenHomeStillKnowsWhatIsOwedAnAck() throws Exception {
    try (Connection connection = storeAtVersion("7");
        Statement sql = connection.createStatement()) {
      sql.execute(
          "INSERT INTO message (id, sender, recipient, body, created_at, thread_id, ack_required,"
              + " acked_at) VALUES"
              + " ('owes-1', 'alice', 'bob', 'ack this please', 2000, 'owes-1', TRUE, NULL),"
              + " ('acked-1', 'alice', 'bob', 'acked long ago', 3000, 'acked-1', TRUE, 3500),"
              + " ('owed-1', 'bob', 'alice', 'bob asks alice', 4000, 'owed-1', TRUE, NULL),"
              + " ('plain-1', 'alice', 'bob', 'no ack asked', 5000, 'plain-1', FALSE, NULL)");
    }

    try (AgentMessenger bob = bob()) {
      assertThat(bob.pendingAcks()).extracting(Message::id).containsExactly("owes-1", "owed-1");
      bob.ack(List.of("owes-1"));
      assertThat(bob.pendingAcks()).extracting(Message::id).containsExactly("owed-1");
      Message asked =
          bob.send(MessageDraft.to("alice", "and this one").withAckRequired(true)).get(0);
      assertThat(bob.pendingAcks()).extracting(Message::id).containsExactly("owed-1", asked.id());
      // A conversation, both ways, through the one index left for it.
      assertThat(bob.history(HistoryQuery.newest(10).withPeer("alice")))
          .extracting(Message::id)
          .containsExactly(asked.id(), "plain-1", "owed-1", "acked-1", "owes-1");
    }
    try (Store store = Store.open(home, java.time.Duration.ofSeconds(10))) {
      assertThat(store.call(ConversationRows::schemaVersion))
          .isEqualTo(String.valueOf(Migrations.LATEST_VERSION));
    }
  }
}
