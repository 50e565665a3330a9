package agentmsg.internal.store;

import agentmsg.Message;
import agentmsg.Priority;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/** Queries on the {@code message} table. Stateless. */
final class MessageRows {
  static final String COLUMNS =
      "seq, id, sender, recipient, body, created_at, delivered_at, read_at, acked_at,"
          + " thread_id, reply_to, subject, priority, ack_required, surfaced_at";

  /**
   * Oldest first, for a query that fixes {@code recipient} and {@code read_at IS NULL}: the same
   * order as {@code ORDER BY seq}, but naming message_unread's columns from the first is what makes
   * H2 walk that index in order and stop at the limit, instead of sorting every matching row (an
   * agent with 100,000 unread messages).
   */
  static final String UNREAD_ORDER = " ORDER BY recipient, read_at, seq";

  /**
   * Newest first, for a query that fixes {@code recipient}: message_to_history walked backwards,
   * stopping at the limit, for the same reason as {@link #UNREAD_ORDER}.
   */
  static final String RECEIVED_NEWEST_FIRST = " ORDER BY recipient DESC, seq DESC";

  static final int DUPLICATE_KEY = 23505;

  /** How many ids go into one {@code IN (...)} list. */
  private static final int BATCH = 500;

  static final RowMapper<Message> MAPPER =
      (rows, context) ->
          new Message(
              rows.getString("id"),
              rows.getLong("seq"),
              rows.getString("sender"),
              rows.getString("recipient"),
              rows.getString("body"),
              Instant.ofEpochMilli(rows.getLong("created_at")),
              instant(rows, "delivered_at"),
              instant(rows, "read_at"),
              instant(rows, "acked_at"),
              rows.getString("thread_id"),
              rows.getString("reply_to"),
              rows.getString("subject"),
              Priority.ofRank(rows.getInt("priority")),
              rows.getBoolean("ack_required"),
              instant(rows, "surfaced_at"));

  private MessageRows() {}

  static Optional<Message> find(Handle handle, String id) {
    return handle
        .createQuery("SELECT " + COLUMNS + " FROM message WHERE id = :id")
        .bind("id", id)
        .map(MAPPER)
        .findOne();
  }

  /** Unread messages to {@code recipient} after sequence number {@code afterSeq}, oldest first. */
  static List<Message> unread(Handle handle, String recipient, long afterSeq, int limit) {
    return handle
        .createQuery(
            "SELECT "
                + COLUMNS
                + " FROM message WHERE recipient = :recipient AND read_at IS NULL"
                + " AND seq > :afterSeq"
                + UNREAD_ORDER
                + " LIMIT :limit")
        .bind("recipient", recipient)
        .bind("afterSeq", afterSeq)
        .bind("limit", limit)
        .map(MAPPER)
        .list();
  }

  /** The newest {@code limit} messages received by {@code recipient}, returned oldest first. */
  static List<Message> received(Handle handle, String recipient, int limit) {
    return handle
        .createQuery(
            "SELECT * FROM (SELECT "
                + COLUMNS
                + " FROM message WHERE recipient = :recipient"
                + RECEIVED_NEWEST_FIRST
                + " LIMIT :limit)"
                + " ORDER BY seq")
        .bind("recipient", recipient)
        .bind("limit", limit)
        .map(MAPPER)
        .list();
  }

  /** Marks the given messages to {@code recipient} read, where they are not yet. */
  static int markRead(Handle handle, String recipient, Collection<String> ids, long nowMillis) {
    return markOnce(handle, "read_at", recipient, ids, nowMillis);
  }

  /**
   * Sets {@code column} (a time column of {@code message}) to {@code nowMillis} on the given
   * messages to {@code recipient} where it is not set yet; returns how many changed.
   */
  static int markOnce(
      Handle handle, String column, String recipient, Collection<String> ids, long nowMillis) {
    int changed = 0;
    for (List<String> chunk : chunks(ids)) {
      changed +=
          handle
              .createUpdate(
                  "UPDATE message SET "
                      + column
                      + " = :now WHERE recipient = :recipient AND "
                      + column
                      + " IS NULL AND id IN (<ids>)")
              .bind("now", nowMillis)
              .bind("recipient", recipient)
              .bindList("ids", chunk)
              .execute();
    }
    return changed;
  }

  /** Which of {@code ids} are stored. */
  static Set<String> existing(Handle handle, Collection<String> ids) {
    Set<String> found = new HashSet<>();
    for (List<String> chunk : chunks(ids)) {
      found.addAll(
          handle
              .createQuery("SELECT id FROM message WHERE id IN (<ids>)")
              .bindList("ids", chunk)
              .mapTo(String.class)
              .list());
    }
    return found;
  }

  /** {@code ids} in lists of at most {@value #BATCH}, the most one {@code IN (...)} list binds. */
  static List<List<String>> chunks(Collection<String> ids) {
    List<String> all = List.copyOf(ids);
    List<List<String>> chunks = new java.util.ArrayList<>();
    for (int start = 0; start < all.size(); start += BATCH) {
      chunks.add(all.subList(start, Math.min(all.size(), start + BATCH)));
    }
    return chunks;
  }

  private static Instant instant(ResultSet rows, String column) throws SQLException {
    long millis = rows.getLong(column);
    return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
  }
}
