package agentmsg.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The server's queries on the {@code message} table: idempotent inserts keyed by a client id, the
 * undelivered messages of a recipient, and marking messages delivered. Stateless.
 */
final class DeliveryRows {
  private static final String COLUMNS = MessageRows.COLUMNS + ", client_id";

  /** Sequence numbers H2 reserves at a time for the server's inserts; see {@link #reserveSeqs}. */
  private static final int SEQ_CACHE = 4096;

  private static final RowMapper<StoredMessage> MAPPER =
      (rows, context) ->
          new StoredMessage(MessageRows.MAPPER.map(rows, context), rows.getString("client_id"));

  /** The SQL standard's state of a unique key violation (PostgreSQL reports only the state). */
  private static final String UNIQUE_VIOLATION = "23505";

  private DeliveryRows() {}

  /**
   * Inserts new messages in one JDBC batch, records the acks they ask for, and lists them for the
   * word index ({@link WordIndex}), all in the caller's transaction: the one insert of every send
   * path. The ids must be fresh and the client ids looked up first ({@link #byClientIds}): a reused
   * one fails the batch on the unique key ({@link #isDuplicateKey}).
   *
   * @return the stored messages, in the order given
   */
  static List<StoredMessage> insertAll(Handle handle, List<NewMessage> rows) throws SQLException {
    if (rows.isEmpty()) {
      return List.of();
    }
    Map<String, Long> seqs = insertRows(handle, rows);
    List<StoredMessage> stored = new ArrayList<>(rows.size());
    List<NewMessage> owed = new ArrayList<>();
    for (NewMessage row : rows) {
      stored.add(row.stored(seqs.get(row.id())));
      if (row.ackRequired()) {
        owed.add(row);
      }
    }
    if (!owed.isEmpty()) {
      try (PreparedStatement insert =
          handle
              .getConnection()
              .prepareStatement("INSERT INTO ack_owed (seq, sender, recipient) VALUES (?, ?, ?)")) {
        for (NewMessage row : owed) {
          insert.setLong(1, seqs.get(row.id()));
          insert.setString(2, row.sender());
          insert.setString(3, row.recipient());
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
    return stored;
  }

  private static Map<String, Long> insertRows(Handle handle, List<NewMessage> rows)
      throws SQLException {
    Map<String, Long> seqs = new HashMap<>();
    if (rows.isEmpty()) {
      return seqs;
    }
    Connection connection = handle.getConnection();
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO message (id, sender, recipient, body, created_at, client_id, thread_id,"
                + " reply_to, priority, subject, ack_required) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?)",
            Dialect.of(handle).columnNames("id", "seq"))) {
      for (NewMessage row : rows) {
        insert.setString(1, row.id());
        insert.setString(2, row.sender());
        insert.setString(3, row.recipient());
        insert.setString(4, row.body());
        insert.setLong(5, row.createdAtMillis());
        insert.setString(6, row.clientId());
        insert.setString(7, row.thread());
        insert.setString(8, row.replyTo());
        insert.setInt(9, row.priority().rank());
        insert.setString(10, row.subject());
        insert.setBoolean(11, row.ackRequired());
        insert.addBatch();
      }
      insert.executeBatch();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        while (keys.next()) {
          seqs.put(keys.getString(1), keys.getLong(2));
        }
      }
    }
    if (seqs.size() != rows.size()) {
      throw new SQLException(
          "inserted " + rows.size() + " messages but got " + seqs.size() + " sequence numbers");
    }
    WordIndex.markPending(connection, seqs.values());
    return seqs;
  }

  /**
   * Lets H2 hand out message sequence numbers in blocks of {@value #SEQ_CACHE} instead of 32. Each
   * time an identity column's block runs out, H2 commits the new high mark in a system transaction,
   * and with {@code WRITE_DELAY=0} that commit writes out every changed page, the open
   * transaction's included: a third of the server's write time at 32. A crash leaves a gap in the
   * numbers, which is harmless: they only order messages. Idempotent; a schema change, so it
   * belongs in a migration once the migrations in progress have landed.
   */
  static void reserveSeqs(Handle handle) {
    if (Dialect.of(handle) != Dialect.H2) {
      return; // PostgreSQL's sequences take no system transaction per block
    }
    Long cache =
        handle
            .createQuery(
                "SELECT IDENTITY_CACHE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA ="
                    + " 'PUBLIC' AND TABLE_NAME = 'MESSAGE' AND COLUMN_NAME = 'SEQ'")
            .mapTo(Long.class)
            .findOne()
            .orElse(null);
    if (cache != null && cache < SEQ_CACHE) {
      handle.execute("ALTER TABLE message ALTER COLUMN seq SET CACHE " + SEQ_CACHE);
    }
  }

  /**
   * Whether {@code e} is a unique key violation (a failed JDBC batch carries the code of the row
   * that failed): for the server's writer, a resend under a client id already stored.
   */
  static boolean isDuplicateKey(SQLException e) {
    return TransientErrors.errorCode(e) == MessageRows.DUPLICATE_KEY
        || UNIQUE_VIOLATION.equals(TransientErrors.sqlState(e));
  }

  /**
   * The messages {@code sender} already stored under any of {@code clientIds}, by client id. One
   * index lookup each: an {@code IN} list here made H2 scan all of the sender's messages.
   */
  static Map<String, StoredMessage> byClientIds(
      Handle handle, String sender, Collection<String> clientIds) throws SQLException {
    Map<String, StoredMessage> found = new HashMap<>();
    // One prepared statement for all of them: a Jdbi query each cost more than H2's lookup.
    try (PreparedStatement query =
        handle
            .getConnection()
            .prepareStatement(
                "SELECT " + COLUMNS + " FROM message WHERE sender = ? AND client_id = ?")) {
      for (String clientId : clientIds) {
        query.setString(1, sender);
        query.setString(2, clientId);
        try (ResultSet rows = query.executeQuery()) {
          if (rows.next()) {
            found.put(clientId, MAPPER.map(rows, null));
          }
        }
      }
    }
    return found;
  }

  /**
   * The copies of the fan-out {@code sender} sent with {@code clientId} (each stored under {@link
   * FanOut#copyClientId}), in the order they were stored; empty if there was none. A range of the
   * (sender, client_id) index per prefix, so the copies are found whoever the recipients are now.
   */
  static List<StoredMessage> copiesByClientId(Handle handle, String sender, String clientId)
      throws SQLException {
    List<StoredMessage> copies = new ArrayList<>();
    try (PreparedStatement query =
        handle
            .getConnection()
            .prepareStatement(
                "SELECT "
                    + COLUMNS
                    + " FROM message WHERE sender = ? AND client_id >= ? AND client_id < ?")) {
      for (String prefix : FanOut.clientIdPrefixes(clientId)) {
        // Every key that starts with the prefix, which ends in '@': up to the same prefix with 'A'.
        query.setString(1, sender);
        query.setString(2, prefix);
        query.setString(3, prefix.substring(0, prefix.length() - 1) + (char) ('@' + 1));
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            StoredMessage row = MAPPER.map(rows, null);
            if (row.clientId().equals(FanOut.copyClientId(clientId, row.recipient()))
                && copies.stream().noneMatch(copy -> copy.id().equals(row.id()))) {
              copies.add(row);
            }
          }
        }
      }
    }
    copies.sort(Comparator.comparingLong(StoredMessage::seq));
    return copies;
  }

  /** The stored messages among {@code ids}, by id. */
  static Map<String, StoredMessage> byIds(Handle handle, Collection<String> ids) {
    Map<String, StoredMessage> found = new HashMap<>();
    for (List<String> chunk : MessageRows.chunks(ids)) {
      handle
          .createQuery("SELECT " + COLUMNS + " FROM message WHERE id IN (<ids>)")
          .bindList("ids", chunk)
          .map(MAPPER)
          .forEach(row -> found.put(row.id(), row));
    }
    return found;
  }

  /**
   * Messages to {@code recipient} after sequence number {@code afterSeq} that are neither delivered
   * nor read, oldest first: what the server pushes to a receiving connection. Walks the unread
   * messages' index and checks delivered_at per row (V6 dropped an index for it: an ack marks a
   * message read too, so few unread messages are delivered).
   */
  static List<StoredMessage> undelivered(
      Handle handle, String recipient, long afterSeq, int limit) {
    return handle
        .createQuery(
            "SELECT "
                + COLUMNS
                + " FROM message WHERE recipient = :recipient AND delivered_at IS NULL"
                + " AND read_at IS NULL AND seq > :afterSeq"
                + MessageRows.UNREAD_ORDER
                + " LIMIT :limit")
        .bind("recipient", recipient)
        .bind("afterSeq", afterSeq)
        .bind("limit", limit)
        .map(MAPPER)
        .list();
  }

  /**
   * Marks the given messages to {@code recipient} delivered at {@code nowMillis}, and read too when
   * {@code alsoRead} (a client that acks has shown them) unless they were read before. Only
   * messages not yet delivered change. Each update is keyed by id alone, so that H2 finds it by the
   * id index whatever else is undelivered.
   *
   * @return the messages that changed, for telling their senders
   */
  static List<StoredMessage> markDelivered(
      Handle handle, String recipient, Collection<String> ids, long nowMillis, boolean alsoRead)
      throws SQLException {
    List<String> changedIds = markDeliveredIds(handle, recipient, ids, nowMillis, alsoRead);
    Map<String, StoredMessage> rows = byIds(handle, changedIds);
    List<StoredMessage> changed = new ArrayList<>(changedIds.size());
    for (String id : changedIds) {
      StoredMessage row = rows.get(id);
      if (row != null) {
        changed.add(row);
      }
    }
    return changed;
  }

  /**
   * Like {@link #markDelivered}, for a caller that has the rows already.
   *
   * @return the ids of the messages that changed, in the order given
   */
  static List<String> markDeliveredIds(
      Handle handle, String recipient, Collection<String> ids, long nowMillis, boolean alsoRead)
      throws SQLException {
    if (ids.isEmpty()) {
      return List.of();
    }
    List<String> ordered = List.copyOf(ids);
    int[] counts;
    try (PreparedStatement update =
        handle
            .getConnection()
            .prepareStatement(
                "UPDATE message SET delivered_at = ?"
                    + (alsoRead ? ", read_at = COALESCE(read_at, ?)" : "")
                    + " WHERE id = ? AND recipient = ? AND delivered_at IS NULL")) {
      for (String id : ordered) {
        int column = 1;
        update.setLong(column++, nowMillis);
        if (alsoRead) {
          update.setLong(column++, nowMillis);
        }
        update.setString(column++, id);
        update.setString(column, recipient);
        update.addBatch();
      }
      counts = update.executeBatch();
    }
    List<String> changedIds = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0) {
        changedIds.add(ordered.get(i));
      }
    }
    return changedIds;
  }
}
