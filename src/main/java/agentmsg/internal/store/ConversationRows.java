package agentmsg.internal.store;

import agentmsg.Message;
import agentmsg.internal.store.MailStore.Known;
import agentmsg.internal.store.MailStore.Pruned;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Threads, receipts and housekeeping on the {@code message} table: whole threads, acks, the hook's
 * "surfaced" receipt, what is waiting for an ack, what is old enough to prune, and the ids of what
 * was pruned. Stateless.
 */
final class ConversationRows {
  private static final String SELECT = "SELECT " + MessageRows.COLUMNS + " FROM message ";

  /** How many ids go into one {@code IN (...)} list, and how many rows one prune pass deletes. */
  private static final int CHUNK = 500;

  private ConversationRows() {}

  /** The messages of thread {@code thread}, oldest first. */
  static List<Message> thread(Handle handle, String thread) {
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
  static List<Message> messageOrThread(Handle handle, String id) {
    return MessageRows.find(handle, id).map(List::of).orElseGet(() -> thread(handle, id));
  }

  /**
   * Marks the given messages to {@code recipient} acked (and read, where they were not: an ack
   * implies it) at {@code nowMillis}. Messages acked before keep their first ack time.
   *
   * @return the messages that changed, as they were before the change
   */
  static List<Message> ack(
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
        List<Long> owed = new ArrayList<>();
        for (Message row : rows) {
          if (row.ackRequired()) {
            owed.add(row.seq());
          }
        }
        if (!owed.isEmpty()) {
          handle
              .createUpdate("DELETE FROM ack_owed WHERE seq IN (<seqs>)")
              .bindList("seqs", owed)
              .execute();
        }
        changed.addAll(rows);
      }
    }
    return changed;
  }

  /** Unread messages to {@code recipient} not yet surfaced by the hook, oldest first. */
  static List<Message> unsurfaced(Handle handle, String recipient, int limit) {
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
  static int markSurfaced(Handle handle, String recipient, Collection<String> ids, long nowMillis) {
    return MessageRows.markOnce(handle, "surfaced_at", recipient, ids, nowMillis);
  }

  /**
   * Messages that asked for an ack and have none yet, where {@code agent} is the recipient (it owes
   * the ack) or the sender (it is owed one), oldest first.
   */
  static List<Message> pendingAcks(Handle handle, String agent) {
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
  static List<Message> prunable(
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

  /**
   * Deletes the given messages (their words go with them) and remembers their ids as pruned at
   * {@code nowMillis}, in the caller's transaction: whoever then misses a message finds its id
   * here.
   */
  static int delete(Handle handle, Collection<Message> messages, long nowMillis) {
    List<Long> seqs = new ArrayList<>(messages.size());
    for (Message message : messages) {
      seqs.add(message.seq());
    }
    if (seqs.isEmpty()) {
      return 0;
    }
    PreparedBatch remember =
        handle.prepareBatch(
            Dialect.of(handle)
                .upsert(
                    "pruned_message",
                    "id, sender, recipient, pruned_at",
                    "id",
                    ":id, :sender, :recipient, :prunedAt",
                    "pruned_at"));
    for (Message message : messages) {
      remember
          .bind("id", message.id())
          .bind("sender", message.from())
          .bind("recipient", message.to())
          .bind("prunedAt", nowMillis)
          .add();
    }
    remember.execute();
    return handle
        .createUpdate("DELETE FROM message WHERE seq IN (<seqs>)")
        .bindList("seqs", seqs)
        .execute();
  }

  /** Which of {@code ids} are of stored messages, and which of the others of pruned ones. */
  static Known known(Handle handle, Collection<String> ids) {
    Set<String> stored = MessageRows.existing(handle, ids);
    if (stored.size() == ids.size()) {
      return new Known(stored, Set.of());
    }
    List<String> others = new ArrayList<>(ids.size() - stored.size());
    for (String id : ids) {
      if (!stored.contains(id)) {
        others.add(id);
      }
    }
    return new Known(stored, pruned(handle, others));
  }

  /**
   * Which of {@code ids} are of pruned messages. Ask after looking for the messages themselves: a
   * prune deletes a message and records its id in one transaction, so an id that was not stored a
   * moment ago either never was or is recorded by now; asked the other way round, a prune in
   * between would hide it from both.
   */
  static Set<String> pruned(Handle handle, Collection<String> ids) {
    Set<String> found = new HashSet<>();
    for (List<String> chunk : MessageRows.chunks(ids)) {
      found.addAll(
          handle
              .createQuery("SELECT id FROM pruned_message WHERE id IN (<ids>)")
              .bindList("ids", chunk)
              .mapTo(String.class)
              .list());
    }
    return found;
  }

  /**
   * Up to {@value #CHUNK} pruned messages remembered since before {@code beforeMillis}, with ids
   * after {@code afterId} (the empty string for the first), in the order of their ids.
   */
  static List<Pruned> prunedBefore(Handle handle, long beforeMillis, String afterId) {
    return handle
        .createQuery(
            "SELECT id, sender, recipient FROM pruned_message WHERE pruned_at < :before"
                + " AND id > :after ORDER BY id LIMIT "
                + CHUNK)
        .bind("before", beforeMillis)
        .bind("after", afterId)
        .map((rows, context) -> new Pruned(rows.getString(1), rows.getString(2), rows.getString(3)))
        .list();
  }

  /** Forgets the given pruned messages. */
  static void forget(Handle handle, Collection<Pruned> pruned) {
    List<String> ids = new ArrayList<>(pruned.size());
    for (Pruned each : pruned) {
      ids.add(each.id());
    }
    for (List<String> chunk : MessageRows.chunks(ids)) {
      handle
          .createUpdate("DELETE FROM pruned_message WHERE id IN (<ids>)")
          .bindList("ids", chunk)
          .execute();
    }
  }

  /** Every stored message after {@code afterSeq}, oldest first, at most {@code limit}. */
  static List<Message> page(Handle handle, long afterSeq, int limit) {
    return handle
        .createQuery(SELECT + "WHERE seq > :after ORDER BY seq LIMIT :limit")
        .bind("after", afterSeq)
        .bind("limit", limit)
        .map(MessageRows.MAPPER)
        .list();
  }

  /** The newest migration applied to the schema, e.g. {@code 3}. */
  static String schemaVersion(Handle handle) {
    return handle
        .createQuery(
            "SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\""
                + " AND \"version\" IS NOT NULL ORDER BY \"installed_rank\" DESC LIMIT 1")
        .mapTo(String.class)
        .findOne()
        .orElse("none");
  }

  /** The schema version this code expects. */
  static int expectedSchemaVersion() {
    return Migrations.LATEST_VERSION;
  }
}
