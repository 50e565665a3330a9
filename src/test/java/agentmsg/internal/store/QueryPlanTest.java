package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.HistoryQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reads that page through one agent's messages walk an index in order and stop at their limit
 * ("index sorted" in H2's plan) rather than sort every matching row: that is what keeps them fast
 * for an agent with 100,000 messages, and an H2 upgrade or an edited ORDER BY could lose it.
 */
class QueryPlanTest {
  @TempDir Path home;

  @Test
  void unreadPagesWalkTheUnreadIndexInOrder() {
    assertIndexSorted(
        "SELECT seq FROM message WHERE recipient = 'bob' AND read_at IS NULL AND seq > 0"
            + MessageRows.UNREAD_ORDER
            + " LIMIT 50",
        "MESSAGE_UNREAD");
  }

  @Test
  void undeliveredPagesOfTheServerWalkTheUnreadIndexInOrder() {
    assertIndexSorted(
        "SELECT seq FROM message WHERE recipient = 'bob' AND delivered_at IS NULL"
            + " AND read_at IS NULL AND seq > 0"
            + MessageRows.UNREAD_ORDER
            + " LIMIT 50",
        "MESSAGE_UNREAD");
  }

  @Test
  void unsurfacedMessagesWalkTheUnreadIndexInOrder() {
    assertIndexSorted(
        "SELECT seq FROM message WHERE recipient = 'bob' AND read_at IS NULL"
            + " AND surfaced_at IS NULL"
            + MessageRows.UNREAD_ORDER
            + " LIMIT 50",
        "MESSAGE_UNREAD");
  }

  @Test
  void theNewestReceivedWalkTheHistoryIndexBackwards() {
    assertIndexSorted(
        "SELECT seq FROM message WHERE recipient = 'bob'"
            + MessageRows.RECEIVED_NEWEST_FIRST
            + " LIMIT 20",
        "MESSAGE_TO_HISTORY");
  }

  @Test
  void aConversationWalksOneIndexFromBothEnds() {
    HistoryQuery withAlice = HistoryQuery.newest(20).withPeer("alice");
    for (boolean received : new boolean[] {true, false}) {
      assertIndexSorted(
          HistoryRows.fromMessages(List.of(), withAlice, received, true),
          Map.of("agent", "bob", "peer", "alice", "after", 0L, "before", 1000L, "limit", 20),
          "MESSAGE_WITH_FROM");
    }
  }

  @Test
  void pendingAcksReadOnlyTheMessagesThatOweOne() {
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      String plan =
          store.call(
              handle ->
                  handle
                      .createQuery(
                          "EXPLAIN SELECT seq FROM ack_owed WHERE recipient = 'bob'"
                              + " UNION ALL SELECT seq FROM ack_owed WHERE sender = 'bob'")
                      .mapTo(String.class)
                      .one());
      assertThat(plan)
          .contains("PUBLIC.ACK_OWED_BY_RECIPIENT")
          .contains("PUBLIC.ACK_OWED_BY_SENDER");
    }
  }

  private void assertIndexSorted(String query, String index) {
    assertIndexSorted(query, Map.of(), index);
  }

  private void assertIndexSorted(String query, Map<String, Object> binds, String index) {
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      String plan =
          store.call(
              handle -> {
                var explain = handle.createQuery("EXPLAIN " + query);
                binds.forEach(explain::bind);
                return explain.mapTo(String.class).one();
              });
      assertThat(plan).contains("PUBLIC." + index).contains("/* index sorted */");
    }
  }
}
