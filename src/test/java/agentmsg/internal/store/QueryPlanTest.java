package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
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

  private void assertIndexSorted(String query, String index) {
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      String plan =
          store.call(handle -> handle.createQuery("EXPLAIN " + query).mapTo(String.class).one());
      assertThat(plan).contains("PUBLIC." + index).contains("/* index sorted */");
    }
  }
}
