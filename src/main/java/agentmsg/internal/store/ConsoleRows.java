package agentmsg.internal.store;

import agentmsg.HistoryQuery;
import agentmsg.Message;
import agentmsg.internal.store.ConsoleStore.AgentSummary;
import agentmsg.internal.store.ConsoleStore.HeldThread;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The reads of the console: every agent with its counts, pages of the newest messages, a thread,
 * what is new after a sequence number, the threads the loop guard holds, and full-text search over
 * every agent's messages. Each read is bounded by a limit or an index range, so the store's size
 * does not set its cost.
 */
final class ConsoleRows {
  private ConsoleRows() {}

  /** Every registered agent, by name, with its unread messages and the acks it owes. */
  static List<AgentSummary> agents(Handle handle) {
    Map<String, Integer> unread =
        counts(
            handle,
            "SELECT recipient, COUNT(*) FROM message"
                + " WHERE read_at IS NULL GROUP BY recipient");
    Map<String, Integer> owed =
        counts(handle, "SELECT recipient, COUNT(*) FROM ack_owed GROUP BY recipient");
    return AgentRows.all(handle).stream()
        .map(
            agent ->
                new AgentSummary(
                    agent,
                    unread.getOrDefault(agent.name(), 0),
                    owed.getOrDefault(agent.name(), 0)))
        .toList();
  }

  private static Map<String, Integer> counts(Handle handle, String sql) {
    Map<String, Integer> counts = new HashMap<>();
    handle
        .createQuery(sql)
        .map((rows, context) -> counts.put(rows.getString(1), rows.getInt(2)))
        .list();
    return counts;
  }

  /**
   * The newest {@code limit} messages with a sequence number below {@code before}, newest first.
   */
  static List<Message> newest(Handle handle, long before, int limit) {
    return handle
        .createQuery(
            "SELECT "
                + MessageRows.COLUMNS
                + " FROM message WHERE seq < :before ORDER BY seq DESC LIMIT :limit")
        .bind("before", before)
        .bind("limit", limit)
        .map(MessageRows.MAPPER)
        .list();
  }

  /** Messages with a sequence number above {@code after}, oldest first, at most {@code limit}. */
  static List<Message> after(Handle handle, long after, int limit) {
    return handle
        .createQuery(
            "SELECT "
                + MessageRows.COLUMNS
                + " FROM message WHERE seq > :after ORDER BY seq LIMIT :limit")
        .bind("after", after)
        .bind("limit", limit)
        .map(MessageRows.MAPPER)
        .list();
  }

  /** The messages of thread {@code thread}, oldest first, at most {@code limit}. */
  static List<Message> thread(Handle handle, String thread, int limit) {
    return handle
        .createQuery(
            "SELECT "
                + MessageRows.COLUMNS
                + " FROM message WHERE thread_id = :thread ORDER BY thread_id, seq LIMIT :limit")
        .bind("thread", thread)
        .bind("limit", limit)
        .map(MessageRows.MAPPER)
        .list();
  }

  /**
   * The receipt times of the messages with a sequence number above {@code after}, as one key per
   * message that changes when any receipt does: no bodies read.
   */
  static Map<Long, String> receipts(Handle handle, long after, int limit) {
    Map<Long, String> keys = new LinkedHashMap<>();
    handle
        .createQuery(
            "SELECT seq, delivered_at, surfaced_at, read_at, acked_at FROM message"
                + " WHERE seq > :after ORDER BY seq LIMIT :limit")
        .bind("after", after)
        .bind("limit", limit)
        .map(
            (rows, context) ->
                keys.put(
                    rows.getLong(1),
                    rows.getLong(2)
                        + "|"
                        + rows.getLong(3)
                        + "|"
                        + rows.getLong(4)
                        + "|"
                        + rows.getLong(5)))
        .list();
    return keys;
  }

  /** The messages with these sequence numbers, oldest first. */
  static List<Message> bySeq(Handle handle, java.util.Collection<Long> seqs) {
    if (seqs.isEmpty()) {
      return List.of();
    }
    return handle
        .createQuery(
            "SELECT " + MessageRows.COLUMNS + " FROM message WHERE seq IN (<seqs>) ORDER BY seq")
        .bindList("seqs", new java.util.ArrayList<>(seqs))
        .map(MessageRows.MAPPER)
        .list();
  }

  /** Those of {@code threads} that the loop guard holds, each read by its key. */
  static Map<String, HeldThread> held(Handle handle, Collection<String> threads) {
    Map<String, HeldThread> held = new LinkedHashMap<>();
    for (List<String> chunk : MessageRows.chunks(new LinkedHashSet<>(threads))) {
      handle
          .createQuery(
              "SELECT thread_id, run, run_limit FROM thread_guard"
                  + " WHERE thread_id IN (<threads>) AND held_at IS NOT NULL")
          .bindList("threads", chunk)
          .map(ConsoleRows::heldThread)
          .forEach(thread -> held.put(thread.thread(), thread));
    }
    return held;
  }

  /**
   * The threads the loop guard holds, by id, at most {@code limit}. Held threads are few, but no
   * index finds them: this walks {@code thread_guard} (one small row per thread), so the console
   * reads it seconds apart, not on every step.
   */
  static List<HeldThread> held(Handle handle, int limit) {
    return handle
        .createQuery(
            "SELECT thread_id, run, run_limit FROM thread_guard WHERE held_at IS NOT NULL"
                + " ORDER BY thread_id LIMIT :limit")
        .bind("limit", limit)
        .map(ConsoleRows::heldThread)
        .list();
  }

  private static HeldThread heldThread(ResultSet rows, StatementContext context)
      throws SQLException {
    int own = rows.getInt(3);
    Integer ownLimit = rows.wasNull() ? null : own;
    return new HeldThread(rows.getString(1), rows.getInt(2), ownLimit);
  }

  /** The highest sequence number stored, or 0. */
  static long lastSeq(Handle handle) {
    return handle.createQuery("SELECT COALESCE(MAX(seq), 0) FROM message").mapTo(Long.class).one();
  }

  /**
   * The newest messages of any agent holding every word of {@code text} (the word index that {@code
   * history} searches), below {@code before}, newest first; with {@code agent}, exactly what {@code
   * history --text} shows that agent.
   */
  static List<Message> search(Handle handle, String agent, String text, long before, int limit)
      throws SQLException {
    if (agent != null) {
      return HistoryRows.history(handle, agent, HistoryQuery.newest(limit).withText(text));
    }
    List<String> words = Words.ofSearch(text);
    WordIndex.catchUp(handle);
    StringBuilder sql = HistoryRows.wordJoins(words);
    sql.append(" WHERE w0.word = :w0 AND w0.seq < :before");
    sql.append(" ORDER BY w0.word DESC, w0.seq DESC LIMIT :limit");
    Query query = handle.createQuery(sql.toString()).bind("before", before).bind("limit", limit);
    for (int i = 0; i < words.size(); i++) {
      query.bind("w" + i, words.get(i));
    }
    return query.map(MessageRows.MAPPER).list();
  }
}
