package agentmsg.internal.store;

import agentmsg.HistoryQuery;
import agentmsg.Message;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * History and full-text search over the messages an agent sent or received, newest first. Every
 * filter maps onto an index: the agent's side through {@code (recipient, seq)} and {@code (sender,
 * seq)} (two index-ordered halves merged, because an OR would scan), words through the {@code
 * message_word (word, seq)} index, one join per word (the intersection). Stateless.
 */
public final class HistoryRows {
  private HistoryRows() {}

  /** The newest messages of {@code agent} matching {@code query}, newest first. */
  public static List<Message> history(Handle handle, String agent, HistoryQuery query) {
    List<String> words = query.text() == null ? List.of() : Words.of(query.text());
    if (query.text() != null && words.isEmpty()) {
      throw new IllegalArgumentException(
          "the search text '" + query.text() + "' has no word of 2 or more letters or digits");
    }
    String sql;
    if (words.isEmpty()) {
      // Each half walks its index backwards and stops at the limit; the merge keeps the newest.
      sql =
          "SELECT * FROM (("
              + half(words, query, "m.recipient = :agent", "m.sender = :peer", "m.recipient")
              + ") UNION ALL ("
              + half(
                  words,
                  query,
                  "m.sender = :agent AND m.recipient <> :agent",
                  "m.recipient = :peer",
                  "m.sender")
              + ")) ORDER BY seq DESC LIMIT :limit";
    } else {
      // The words are selective: start from them and check the agent's side per match.
      sql =
          half(
              words,
              query,
              "(m.recipient = :agent OR m.sender = :agent)",
              "(m.sender = :peer OR m.recipient = :peer)",
              "w0.word");
    }
    Query statement = handle.createQuery(sql).bind("agent", agent).bind("limit", query.limit());
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
    return statement.map(MessageRows.MAPPER).list();
  }

  /**
   * One index-driven query. {@code leading} is the index's first column, fixed by an equality: H2
   * walks an index backwards ("index sorted", stopping at the limit) only when the ORDER BY names
   * the index's columns from the first, so it is ordered by that column too (a no-op).
   */
  private static String half(
      List<String> words, HistoryQuery query, String side, String peerCondition, String leading) {
    StringBuilder sql = new StringBuilder("SELECT ");
    sql.append(prefixed(MessageRows.COLUMNS)).append(" FROM ");
    if (words.isEmpty()) {
      sql.append("message m");
    } else {
      sql.append("message_word w0");
      for (int i = 1; i < words.size(); i++) {
        sql.append(" JOIN message_word w")
            .append(i)
            .append(" ON w")
            .append(i)
            .append(".seq = w0.seq AND w")
            .append(i)
            .append(".word = :w")
            .append(i);
      }
      sql.append(" JOIN message m ON m.seq = w0.seq");
    }
    List<String> conditions = new ArrayList<>();
    if (!words.isEmpty()) {
      conditions.add("w0.word = :w0");
    }
    conditions.add(side);
    if (query.peer() != null) {
      conditions.add(peerCondition);
    }
    if (query.thread() != null) {
      conditions.add("m.thread_id = :thread");
    }
    if (query.since() != null) {
      conditions.add("m.created_at >= :since");
    }
    if (query.until() != null) {
      conditions.add("m.created_at < :until");
    }
    sql.append(" WHERE ").append(String.join(" AND ", conditions));
    sql.append(" ORDER BY ")
        .append(leading)
        .append(" DESC, ")
        .append(words.isEmpty() ? "m" : "w0")
        .append(".seq DESC LIMIT :limit");
    return sql.toString();
  }

  private static String prefixed(String columns) {
    List<String> out = new ArrayList<>();
    for (String column : columns.split(",")) {
      out.add("m." + column.trim());
    }
    return String.join(", ", out);
  }
}
