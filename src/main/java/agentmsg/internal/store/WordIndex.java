package agentmsg.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Writes the inverted word index ({@code message_word}) of messages. Every insert path of the store
 * calls {@link #add} in the transaction of its insert, so a committed message is always findable.
 * Stateless.
 */
final class WordIndex {
  /** How many pre-existing messages one backfill transaction indexes. */
  private static final int BACKFILL_BATCH = 1_000;

  private WordIndex() {}

  /** Indexes the words of a message's body and subject under its sequence number. */
  static void add(Handle handle, long seq, String body, String subject) {
    List<String> words = Words.of(body, subject);
    if (words.isEmpty()) {
      return;
    }
    PreparedBatch batch =
        handle.prepareBatch("INSERT INTO message_word (word, seq) VALUES (:word, :seq)");
    for (String word : words) {
      batch.bind("word", word).bind("seq", seq).add();
    }
    batch.execute();
  }

  /** A message's text to index under its sequence number; {@code subject} may be null. */
  record Text(long seq, String body, String subject) {}

  /** Indexes many messages in one JDBC batch: {@link #add} for a group commit. */
  static void addAll(Connection connection, List<Text> texts) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO message_word (word, seq) VALUES (?, ?)")) {
      int rows = 0;
      for (Text text : texts) {
        for (String word : Words.of(text.body(), text.subject())) {
          insert.setString(1, word);
          insert.setLong(2, text.seq());
          insert.addBatch();
          rows++;
        }
      }
      if (rows > 0) {
        insert.executeBatch();
      }
    }
  }

  /**
   * Indexes the messages that were stored before the word index existed (listed in {@code
   * pending_word_index} by the migration), a batch per transaction, then drops the list. Safe to
   * resume after a crash: each batch indexes its rows and removes them from the list atomically.
   */
  static void backfill(Handle handle) {
    while (true) {
      int done =
          handle.inTransaction(
              tx -> {
                List<Pending> rows =
                    tx.createQuery(
                            "SELECT p.seq, m.body, m.subject FROM pending_word_index p"
                                + " LEFT JOIN message m ON m.seq = p.seq ORDER BY p.seq LIMIT :n")
                        .bind("n", BACKFILL_BATCH)
                        .map(
                            (rs, ctx) ->
                                new Pending(
                                    rs.getLong("seq"),
                                    rs.getString("body"),
                                    rs.getString("subject")))
                        .list();
                for (Pending row : rows) {
                  if (row.body() != null) {
                    tx.execute("DELETE FROM message_word WHERE seq = ?", row.seq());
                    add(tx, row.seq(), row.body(), row.subject());
                  }
                  tx.execute("DELETE FROM pending_word_index WHERE seq = ?", row.seq());
                }
                return rows.size();
              });
      if (done == 0) {
        break;
      }
    }
    handle.execute("DROP TABLE IF EXISTS pending_word_index");
  }

  private record Pending(long seq, String body, String subject) {}
}
