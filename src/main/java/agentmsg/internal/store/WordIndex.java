package agentmsg.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The inverted word index ({@code message_word}) of messages, written after the fact. A send only
 * lists its message's sequence number in {@code unindexed_message} (one small row appended in the
 * send's own transaction); the words are indexed later, many messages per transaction: by the
 * server's writer when it is idle, and by every search before it queries ({@link #catchUp}), so a
 * search still finds every committed message. Indexing twelve or so words of each message at random
 * places of a large index was most of the cost of a send. Stateless.
 */
final class WordIndex {
  /** How many pending messages one indexing transaction takes at most. */
  static final int BATCH = 1_000;

  private WordIndex() {}

  /** Lists a new message for indexing; call in the transaction that inserts it. */
  static void markPending(Handle handle, long seq) {
    handle.execute("INSERT INTO unindexed_message (seq) VALUES (?)", seq);
  }

  /** Lists new messages for indexing in one JDBC batch: {@link #markPending} for a group commit. */
  static void markPending(Connection connection, Collection<Long> seqs) throws SQLException {
    if (seqs.isEmpty()) {
      return;
    }
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO unindexed_message (seq) VALUES (?)")) {
      for (long seq : seqs) {
        insert.setLong(1, seq);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /**
   * Indexes every message still pending, {@link #BATCH} per transaction. Another process may be
   * catching up at the same time: each message's pending row is deleted first, in the transaction
   * that indexes it, and a message whose row was already gone is left to whoever took it (who has
   * committed by then: the delete waited for its lock).
   *
   * @return how many messages were indexed
   */
  static int catchUp(Handle handle) throws SQLException {
    int total = 0;
    while (true) {
      int done = indexSome(handle, BATCH);
      if (done == 0) {
        return total;
      }
      total += done;
    }
  }

  /**
   * Indexes up to {@code limit} pending messages, oldest first, in one transaction.
   *
   * @return how many pending rows were taken (0 when nothing was pending)
   */
  static int indexSome(Handle handle, int limit) throws SQLException {
    return handle.inTransaction(
        tx -> {
          // A step that a crash loses leaves its pending rows pending (they commit together), so
          // they are indexed again: it need not wait for the disk, which on PostgreSQL would
          // hold up the next send behind it.
          Store.commitWithoutSync(tx);
          return indexPending(tx.getConnection(), limit);
        });
  }

  private static int indexPending(Connection connection, int limit) throws SQLException {
    List<Pending> rows = new ArrayList<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT p.seq, m.body, m.subject FROM unindexed_message p"
                + " LEFT JOIN message m ON m.seq = p.seq ORDER BY p.seq LIMIT ?")) {
      query.setInt(1, limit);
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          rows.add(new Pending(result.getLong(1), result.getString(2), result.getString(3)));
        }
      }
    }
    if (rows.isEmpty()) {
      return 0;
    }
    int[] taken;
    try (PreparedStatement delete =
        connection.prepareStatement("DELETE FROM unindexed_message WHERE seq = ?")) {
      for (Pending row : rows) {
        delete.setLong(1, row.seq());
        delete.addBatch();
      }
      taken = delete.executeBatch();
    }
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO message_word (word, seq) VALUES (?, ?)")) {
      int words = 0;
      for (int i = 0; i < rows.size(); i++) {
        Pending row = rows.get(i);
        if (taken[i] == 0 || row.body() == null) {
          continue; // indexed by another process, or deleted since it was sent
        }
        for (String word : Words.of(row.body(), row.subject())) {
          insert.setString(1, word);
          insert.setLong(2, row.seq());
          insert.addBatch();
          words++;
        }
      }
      if (words > 0) {
        insert.executeBatch();
      }
    }
    return rows.size();
  }

  private record Pending(long seq, String body, String subject) {}
}
