package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.HistoryQuery;
import agentmsg.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sends only list their messages for the word index; indexing comes later, and before a search. */
class WordIndexTest {
  @TempDir Path home;

  @Test
  void aSendListsItsMessageAndIndexingTakesItOffTheList() {
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      store.run(handle -> insert(handle, "m-1", "deploy the release"));
      store.run(handle -> insert(handle, "m-2", "release notes"));
      store.run(handle -> insert(handle, "m-3", "lunch?"));
      assertThat(pending(store)).isEqualTo(3);
      assertThat(words(store)).isZero();

      assertThat(index(store, 2)).isEqualTo(2);
      assertThat(pending(store)).isEqualTo(1);
      assertThat(index(store, 2)).isEqualTo(1);
      assertThat(index(store, 2)).isZero();
      assertThat(words(store)).isEqualTo(6); // deploy the release / release notes / lunch
    }
  }

  @Test
  void aSearchIndexesWhatIsPendingFirstAndFindsEveryMessage() {
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      store.run(handle -> insert(handle, "m-1", "deploy the release"));
      store.run(handle -> WordIndex.indexSome(handle, 10));
      store.run(handle -> insert(handle, "m-2", "release notes"));

      List<Message> found =
          store.call(
              handle ->
                  HistoryRows.history(handle, "bob", HistoryQuery.newest(10).withText("release")));
      assertThat(found).extracting(Message::id).containsExactly("m-2", "m-1");
      assertThat(pending(store)).isZero();
    }
  }

  @Test
  void aMessageDeletedBeforeItWasIndexedLeavesNothingBehind() {
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      store.run(handle -> insert(handle, "m-1", "short lived"));
      store.run(handle -> handle.execute("DELETE FROM message WHERE id = 'm-1'"));
      assertThat(index(store, Integer.MAX_VALUE)).isEqualTo(1);
      assertThat(pending(store)).isZero();
      assertThat(words(store)).isZero();
    }
  }

  private static void insert(org.jdbi.v3.core.Handle handle, String id, String body)
      throws java.sql.SQLException {
    handle.useTransaction(
        tx -> {
          AgentRows.upsert(tx, "alice", agentmsg.AgentType.OTHER, 1);
          AgentRows.upsert(tx, "bob", agentmsg.AgentType.OTHER, 1);
          DeliveryRows.insertAll(tx, List.of(NewMessage.plain(id, "alice", "bob", body, 1000)))
              .get(0)
              .message();
        });
  }

  private static int index(Store store, int limit) {
    int indexed = store.call(handle -> WordIndex.indexSome(handle, limit));
    return indexed;
  }

  private static int pending(Store store) {
    return count(store, "unindexed_message");
  }

  private static int words(Store store) {
    return count(store, "message_word");
  }

  private static int count(Store store, String table) {
    return store.call(
        handle -> handle.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Integer.class).one());
  }
}
