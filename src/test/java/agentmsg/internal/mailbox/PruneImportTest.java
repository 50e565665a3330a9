package agentmsg.internal.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.Message;
import agentmsg.internal.store.NewMessage;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.StoreSql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pruned message never comes back through the inbox: not through a reader that looks between the
 * prune and the deletion of its files, nor through a mirror file written late for it (the server's
 * mirror thread, {@code doctor --repair}, a crash of the prune before it deleted them).
 */
class PruneImportTest {
  private static final long LONG_AGO = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();

  @TempDir Path home;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private Store store;
  private MailboxLayout layout;
  private InboxImporter reader;

  @BeforeEach
  void open() {
    store = Store.open(home, Duration.ofSeconds(10));
    layout = new MailboxLayout(home);
    reader = new InboxImporter(store, layout, new MirrorWriter(layout), 1 << 20, warnings::add);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aReaderLookingBetweenThePruneAndTheFileDeletionDoesNotBringTheMessageBack() {
    Message old = readMessage("m-old", "old news");
    int[] importedMeanwhile = new int[1];
    Housekeeping housekeeping =
        new Housekeeping(store, layout, deleted -> importedMeanwhile[0] += reader.importAll("bob"));

    Housekeeping.PruneResult result = housekeeping.prune(Instant.now(), false, false);

    assertThat(result.messages()).isEqualTo(1);
    assertThat(importedMeanwhile[0]).isZero();
    assertThat(receivedByBob()).isEmpty();
    assertThat(layout.inboxFile("bob", old.id())).doesNotExist();
    assertThat(layout.outboxFile("alice", old.id())).doesNotExist();
  }

  @Test
  void aMirrorFileWrittenLateForAPrunedMessageIsNotImported() {
    Message old = readMessage("m-late", "pruned, then mirrored again");
    new Housekeeping(store, layout).prune(Instant.now(), false, false);

    // A writer that read the row before the prune: the server's mirror thread, doctor --repair.
    new MirrorWriter(layout).write(old);

    assertThat(reader.importAll("bob")).isZero();
    assertThat(receivedByBob()).isEmpty();
    assertThat(layout.inboxFile("bob", old.id())).doesNotExist();
    assertThat(warnings).isEmpty();
  }

  @Test
  void aDroppedCopyOfAPrunedMessageUnderAnotherNameIsSetAsideNotImported() throws IOException {
    Message old = readMessage("m-copy", "pruned long ago");
    new Housekeeping(store, layout).prune(Instant.now(), false, false);

    Path copy = layout.inbox("bob").resolve("copy of it.json");
    Files.writeString(
        copy, "{\"id\":\"" + old.id() + "\",\"from\":\"alice\",\"message\":\"pruned long ago\"}");

    assertThat(reader.importAll("bob")).isZero();
    assertThat(receivedByBob()).isEmpty();
    assertThat(copy).doesNotExist();
    assertThat(Files.readString(home.resolve("rejected/bob/copy of it.json.reason")))
        .contains(old.id(), "deleted by prune");
  }

  @Test
  void aLaterPruneDeletesWhatTurnedUpForALongPrunedMessageBeforeItForgetsTheId() throws Exception {
    Message old = readMessage("m-forgotten", "pruned a week ago");
    new Housekeeping(store, layout).prune(Instant.now(), false, false);
    new MirrorWriter(layout).write(old); // left by a writer that read the row before the prune
    long longAgo = System.currentTimeMillis() - Housekeeping.REMEMBER_PRUNED.toMillis() - 1;
    StoreSql.run(
        store,
        handle ->
            handle
                .createUpdate("UPDATE pruned_message SET pruned_at = :at")
                .bind("at", longAgo)
                .execute());

    Housekeeping.PruneResult result =
        new Housekeeping(store, layout).prune(Instant.now(), false, false);

    assertThat(result.files()).isEqualTo(2);
    assertThat(layout.inboxFile("bob", old.id())).doesNotExist();
    assertThat(layout.outboxFile("alice", old.id())).doesNotExist();
    int remembered =
        StoreSql.call(
            store,
            handle ->
                handle
                    .createQuery("SELECT COUNT(*) FROM pruned_message")
                    .mapTo(Integer.class)
                    .one());
    assertThat(remembered).isZero();
  }

  /** A message from alice to bob stored long ago and read, with its mirror files. */
  private Message readMessage(String id, String body) {
    StoreSql.insert(store, List.of(NewMessage.plain(id, "alice", "bob", body, LONG_AGO)));
    store.markRead("bob", List.of(id), LONG_AGO + 1);
    Message message = store.message(id).orElseThrow();
    new MirrorWriter(layout).write(message);
    assertThat(layout.inboxFile("bob", id)).exists();
    return message;
  }

  private List<Message> receivedByBob() {
    return StoreSql.received(store, "bob", 100);
  }
}
