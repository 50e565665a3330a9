package agentmsg.internal.store;

import agentmsg.HistoryQuery;
import agentmsg.Message;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * The SQL of {@code agentmsg.bench.SearchBench}: its bulk fill by JDBC batches, the history query
 * it times ({@link HistoryRows}, with no agent registered), and the plain query it checks that
 * against. It lives in the store's package, as the tests about rows do, so that the store hands no
 * connection out to the bench.
 */
public final class SearchFixture {
  private SearchFixture() {}

  /**
   * One message row of the fill.
   *
   * @param thread its thread id
   */
  public record Row(
      long seq,
      String id,
      String sender,
      String recipient,
      String body,
      long createdAtMillis,
      String thread) {}

  /** How many messages the store holds. */
  public static long count(Store store) {
    return store.call(
        handle -> handle.createQuery("SELECT COUNT(*) FROM message").mapTo(Long.class).one());
  }

  /** Sets H2's {@code WRITE_DELAY} (milliseconds) for the whole database. */
  public static void writeDelay(Store store, int millis) {
    store.run(handle -> handle.execute("SET WRITE_DELAY " + millis));
  }

  /** Inserts {@code rows} and their words ({@link Words}) in one transaction. */
  public static void insert(Store store, List<Row> rows) {
    store.run(
        handle ->
            handle.useTransaction(
                tx -> {
                  Connection connection = tx.getConnection();
                  try (PreparedStatement messages =
                          connection.prepareStatement(
                              "INSERT INTO message (seq, id, sender, recipient, body, created_at,"
                                  + " thread_id) VALUES (?, ?, ?, ?, ?, ?, ?)");
                      PreparedStatement words =
                          connection.prepareStatement(
                              "INSERT INTO message_word (word, seq) VALUES (?, ?)")) {
                    for (Row row : rows) {
                      messages.setLong(1, row.seq());
                      messages.setString(2, row.id());
                      messages.setString(3, row.sender());
                      messages.setString(4, row.recipient());
                      messages.setString(5, row.body());
                      messages.setLong(6, row.createdAtMillis());
                      messages.setString(7, row.thread());
                      messages.addBatch();
                      for (String word : Words.of(row.body())) {
                        words.setString(1, word);
                        words.setLong(2, row.seq());
                        words.addBatch();
                      }
                    }
                    messages.executeBatch();
                    words.executeBatch();
                  }
                }));
  }

  /** What {@code agent-msg history} answers {@code agent} for {@code query}. */
  public static List<Message> history(Store store, String agent, HistoryQuery query) {
    return store.call(handle -> HistoryRows.history(handle, agent, query));
  }

  /** The ids that {@code query} must find, newest first, by a plain query. */
  public static List<String> plain(Store store, String agent, HistoryQuery query) {
    return store.call(handle -> plain(handle, agent, query));
  }

  /** The same query written plainly (no index choices): what the planner's answer must equal. */
  private static List<String> plain(Handle handle, String agent, HistoryQuery query) {
    List<String> conditions = new ArrayList<>();
    conditions.add("(recipient = :agent OR sender = :agent)");
    if (query.peer() != null) {
      conditions.add(
          "((recipient = :agent AND sender = :peer) OR (sender = :agent AND recipient = :peer))");
    }
    if (query.thread() != null) {
      conditions.add("thread_id = :thread");
    }
    if (query.since() != null) {
      conditions.add("created_at >= :since");
    }
    if (query.until() != null) {
      conditions.add("created_at < :until");
    }
    List<String> words = query.text() == null ? List.of() : Words.of(query.text());
    for (int i = 0; i < words.size(); i++) {
      conditions.add("seq IN (SELECT seq FROM message_word WHERE word = :w" + i + ")");
    }
    Query statement =
        handle
            .createQuery(
                "SELECT id FROM message WHERE "
                    + String.join(" AND ", conditions)
                    + " ORDER BY seq DESC LIMIT :limit")
            .bind("agent", agent)
            .bind("limit", query.limit());
    for (int i = 0; i < words.size(); i++) {
      statement.bind("w" + i, words.get(i));
    }
    if (query.peer() != null) {
      statement.bind("peer", query.peer());
    }
    if (query.thread() != null) {
      statement.bind("thread", query.thread());
    }
    if (query.since() != null) {
      statement.bind("since", query.since().toEpochMilli());
    }
    if (query.until() != null) {
      statement.bind("until", query.until().toEpochMilli());
    }
    return statement.mapTo(String.class).list();
  }
}
