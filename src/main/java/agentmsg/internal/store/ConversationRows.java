package agentmsg.internal.store;

import agentmsg.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Threads, receipts and housekeeping on the {@code message} table: whole threads, acks, the hook's
 * "surfaced" receipt, what is waiting for an ack, and what is old enough to prune. Stateless.
 */
public final class ConversationRows {
  private static final String SELECT = "SELECT " + MessageRows.COLUMNS + " FROM message ";

  /** How many ids go into one {@code IN (...)} list, and how many rows one prune pass deletes. */
  private static final int CHUNK = 500;

  private ConversationRows() {}

  /** The messages of thread {@code thread}, oldest first. */
  public static List<Message> thread(Handle handle, String thread) {
    return handle
        .createQuery(SELECT + "WHERE thread_id = :thread ORDER BY seq")
        .bind("thread", thread)
        .map(MessageRows.MAPPER)
        .list();
  }

  /**
   * The message with id {@code id}; if there is none, every copy in the thread {@code id} (a
   * broadcast's or group send's shared id), oldest first.
   */
  public static List<Message> messageOrThread(Handle handle, String id) {
    return MessageRows.find(handle, id).map(List::of).orElseGet(() -> thread(handle, id));
  }

  /**
   * Marks the given messages to {@code recipient} acked (and read, where they were not: an ack
   * implies it) at {@code nowMillis}. Messages acked before keep their first ack time.
   *
   * @return the messages that changed, as they were before the change
   */
  public static List<Message> ack(
      Handle handle, String recipient, Collection<String> ids, long nowMillis) {
    List<Message> changed = new ArrayList<>();
    for (List<String> chunk : MessageRows.chunks(ids)) {
      List<Message> rows =
          handle
              .createQuery(
                  SELECT + "WHERE recipient = :recipient AND acked_at IS NULL AND id IN (<ids>)")
              .bind("recipient", recipient)
              .bindList("ids", chunk)
              .map(MessageRows.MAPPER)
              .list();
      if (!rows.isEmpty()) {
        handle
            .createUpdate(
                "UPDATE message SET acked_at = :now, read_at = COALESCE(read_at, :now)"
                    + " WHERE recipient = :recipient AND acked_at IS NULL AND id IN (<ids>)")
            .bind("now", nowMillis)
            .bind("recipient", recipient)
            .bindList("ids", chunk)
            .execute();
        List<Long> seqs = new ArrayList<>(rows.size());
        for (Message row : rows) {
          seqs.add(row.seq());
        }
        handle
            .createUpdate("DELETE FROM ack_owed WHERE seq IN (<seqs>)")
            .bindList("seqs", seqs)
            .execute();
        changed.addAll(rows);
      }
    }
    return changed;
  }

  /** Unread messages to {@code recipient} not yet surfaced by the hook, oldest first. */
  public static List<Message> unsurfaced(Handle handle, String recipient, int limit) {
    return handle
        .createQuery(
            SELECT
                + "WHERE recipient = :recipient AND read_at IS NULL AND surfaced_at IS NULL"
                + MessageRows.UNREAD_ORDER
                + " LIMIT :limit")
        .bind("recipient", recipient)
        .bind("limit", limit)
        .map(MessageRows.MAPPER)
        .list();
  }

  /** Records that the given messages to {@code recipient} were put into its model's context. */
  public static int markSurfaced(
      Handle handle, String recipient, Collection<String> ids, long nowMillis) {
    return MessageRows.markOnce(handle, "surfaced_at", recipient, ids, nowMillis);
  }

  /**
   * Messages that asked for an ack and have none yet, where {@code agent} is the recipient (it owes
   * the ack) or the sender (it is owed one), oldest first.
   */
  public static List<Message> pendingAcks(Handle handle, String agent) {
    // ack_owed lists them; the message's own state decides, should a row outlive its ack.
    return handle
        .createQuery(
            SELECT
                + "WHERE seq IN (SELECT seq FROM ack_owed WHERE recipient = :agent"
                + " UNION ALL SELECT seq FROM ack_owed WHERE sender = :agent"
                + " AND recipient <> :agent) AND ack_required AND acked_at IS NULL ORDER BY seq")
        .bind("agent", agent)
        .map(MessageRows.MAPPER)
        .list();
  }

  /**
   * Up to {@value #CHUNK} messages after {@code afterSeq} stored before {@code cutoffMillis} that
   * may be pruned: read (and acked, where an ack was asked for), or any when {@code includeUnread}.
   */
  public static List<Message> prunable(
      Handle handle, long cutoffMillis, boolean includeUnread, long afterSeq) {
    return handle
        .createQuery(
            SELECT
                + "WHERE created_at < :cutoff AND seq > :after"
                + (includeUnread
                    ? ""
                    : " AND (acked_at IS NOT NULL OR (read_at IS NOT NULL AND NOT ack_required))")
                + " ORDER BY seq LIMIT "
                + CHUNK)
        .bind("cutoff", cutoffMillis)
        .bind("after", afterSeq)
        .map(MessageRows.MAPPER)
        .list();
  }

  /** Deletes the given messages (their words go with them). */
  public static int delete(Handle handle, Collection<Message> messages) {
    List<Long> seqs = new ArrayList<>(messages.size());
    for (Message message : messages) {
      seqs.add(message.seq());
    }
    if (seqs.isEmpty()) {
      return 0;
    }
    return handle
        .createUpdate("DELETE FROM message WHERE seq IN (<seqs>)")
        .bindList("seqs", seqs)
        .execute();
  }

  /** Every stored message after {@code afterSeq}, oldest first, at most {@code limit}. */
  public static List<Message> page(Handle handle, long afterSeq, int limit) {
    return handle
        .createQuery(SELECT + "WHERE seq > :after ORDER BY seq LIMIT :limit")
        .bind("after", afterSeq)
        .bind("limit", limit)
        .map(MessageRows.MAPPER)
        .list();
  }

  /** The newest migration applied to the schema, e.g. {@code 3}. */
  public static String schemaVersion(Handle handle) {
    return handle
        .createQuery(
            "SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\""
                + " AND \"version\" IS NOT NULL ORDER BY \"installed_rank\" DESC LIMIT 1")
        .mapTo(String.class)
        .findOne()
        .orElse("none");
  }

  /** The schema version this code expects. */
  public static int expectedSchemaVersion() {
    return Migrations.LATEST_VERSION;
  }
}
