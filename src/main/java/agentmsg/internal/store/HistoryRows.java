package agentmsg.internal.store;

import agentmsg.HistoryQuery;
import agentmsg.Message;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * History and full-text search over the messages an agent sent or received, newest first. Every
 * query is an index walked backwards from the newest row, stopping at the limit:
 *
 * <ul>
 *   <li>the agent's side through {@code (recipient, seq)} and {@code (sender, seq)}, or with a peer
 *       through two ranges of {@code (recipient, sender, seq)}, X to Y and Y to X: two halves
 *       merged, because an OR would scan;
 *   <li>words through {@code message_word (word, seq)}, starting from the rarest word (counted with
 *       a bounded index range) and checking the others by primary key; messages not yet in that
 *       index ({@link WordIndex}) are indexed first;
 *   <li>a time window becomes a range of {@code seq} (see {@link SeqRange}) that bounds whichever
 *       index is walked; {@code created_at} is still checked on every row, so the range only has to
 *       contain the window.
 * </ul>
 *
 * Whether to start from the words or from the messages (a thread, or the conversation with a peer)
 * is decided by which has fewer rows. Stateless.
 */
final class HistoryRows {
  /** Index entries counted at most when comparing how selective a word or a conversation is. */
  static final int PROBE_LIMIT = 5_000;

  private HistoryRows() {}

  /** The newest messages of {@code agent} matching {@code query}, newest first. */
  static List<Message> history(Handle handle, String agent, HistoryQuery query)
      throws SQLException {
    List<String> words = query.text() == null ? List.of() : Words.ofSearch(query.text());
    if (!words.isEmpty()) {
      // Sends leave their words to be indexed later: index what is left first, so that a search
      // finds every message committed before it.
      WordIndex.catchUp(handle);
    }
    SeqRange range = SeqRange.of(handle, query.since(), query.until());
    if (range.isEmpty()) {
      return List.of();
    }
    boolean fromWords = false;
    if (!words.isEmpty()) {
      List<Probe> probes = new ArrayList<>();
      for (String word : words) {
        probes.add(new Probe(word, countWord(handle, word, range)));
      }
      probes.sort(Comparator.comparingInt(Probe::count));
      if (probes.get(0).count() == 0) {
        return List.of(); // a word that no message in the range holds
      }
      words = probes.stream().map(Probe::word).toList();
      // A thread is a handful of messages; a conversation may be smaller than the rarest word.
      // Starting from a word costs a row read per match (to check the agents), starting from the
      // conversation only an index probe per message: the word must be clearly rarer.
      fromWords =
          query.thread() == null
              && (query.peer() == null
                  || probes.get(0).count() * 4L
                      < countConversation(handle, agent, query.peer(), range));
    }
    String sql;
    if (fromWords) {
      sql = fromWords(words, query);
    } else {
      // Each half walks its index backwards and stops at the limit; the merge keeps the newest.
      // Without a filter on other columns the halves need only the index's seq: the rows are then
      // read once each for the merged limit instead of for both halves' (random reads, at scale).
      boolean seqOnly = query.thread() == null && query.since() == null && query.until() == null;
      String union =
          "("
              + fromMessages(words, query, true, seqOnly)
              + ") UNION ALL ("
              + fromMessages(words, query, false, seqOnly)
              + ")";
      sql =
          seqOnly
              ? "SELECT "
                  + MessageRows.COLUMNS
                  + " FROM message WHERE seq IN (SELECT seq FROM ("
                  + union
                  + ") ORDER BY seq DESC LIMIT :limit) ORDER BY seq DESC"
              : "SELECT * FROM (" + union + ") ORDER BY seq DESC LIMIT :limit";
    }
    Query statement =
        handle
            .createQuery(sql)
            .bind("agent", agent)
            .bind("limit", query.limit())
            .bind("after", range.after())
            .bind("before", range.before());
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

  private record Probe(String word, int count) {}

  /**
   * One half of the agent's messages, walked backwards along the index whose leading columns the
   * equalities fix: H2 walks an index backwards ("index sorted", stopping at the limit) only when
   * the ORDER BY names the index's columns from the first, hence the no-op leading columns. With a
   * peer both halves walk {@code (recipient, sender, seq)}, the sent half with the roles swapped.
   */
  static String fromMessages(
      List<String> words, HistoryQuery query, boolean received, boolean seqOnly) {
    String self = received ? "m.recipient" : "m.sender";
    String other = received ? "m.sender" : "m.recipient";
    List<String> conditions = new ArrayList<>();
    conditions.add(self + " = :agent");
    if (!received) {
      conditions.add("m.recipient <> :agent"); // a message to oneself is in the first half
    }
    String order = self + " DESC, ";
    if (query.peer() != null) {
      conditions.add(other + " = :peer");
      order = "m.recipient DESC, m.sender DESC, ";
    }
    conditions.add("m.seq > :after AND m.seq < :before");
    for (int i = 0; i < words.size(); i++) {
      conditions.add(
          "EXISTS (SELECT 1 FROM message_word x"
              + i
              + " WHERE x"
              + i
              + ".word = :w"
              + i
              + " AND x"
              + i
              + ".seq = m.seq)");
    }
    addFilters(conditions, query);
    return "SELECT "
        + (seqOnly ? "m.seq" : prefixed(MessageRows.COLUMNS))
        + " FROM message m WHERE "
        + String.join(" AND ", conditions)
        + " ORDER BY "
        + order
        + "m.seq DESC LIMIT :limit";
  }

  /**
   * {@code SELECT} of the message columns (as {@code m}) from the word index rows of every one of
   * {@code words} ({@code w0} the first, bound as {@code :w0}, {@code :w1}, ...) joined to their
   * message; the caller adds {@code WHERE w0.word = :w0} and the rest.
   */
  static StringBuilder wordJoins(List<String> words) {
    StringBuilder sql = new StringBuilder("SELECT ");
    sql.append(prefixed(MessageRows.COLUMNS)).append(" FROM message_word w0");
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
    return sql.append(" JOIN message m ON m.seq = w0.seq");
  }

  /** Walks the rarest word's index backwards and checks everything else per match. */
  private static String fromWords(List<String> words, HistoryQuery query) {
    StringBuilder sql = wordJoins(words);
    List<String> conditions = new ArrayList<>();
    conditions.add("w0.word = :w0 AND w0.seq > :after AND w0.seq < :before");
    if (query.peer() == null) {
      conditions.add("(m.recipient = :agent OR m.sender = :agent)");
    } else {
      conditions.add(
          "((m.recipient = :agent AND m.sender = :peer)"
              + " OR (m.sender = :agent AND m.recipient = :peer))");
    }
    addFilters(conditions, query);
    sql.append(" WHERE ").append(String.join(" AND ", conditions));
    sql.append(" ORDER BY w0.word DESC, w0.seq DESC LIMIT :limit");
    return sql.toString();
  }

  private static void addFilters(List<String> conditions, HistoryQuery query) {
    if (query.thread() != null) {
      conditions.add("m.thread_id = :thread");
    }
    if (query.since() != null) {
      conditions.add("m.created_at >= :since");
    }
    if (query.until() != null) {
      conditions.add("m.created_at < :until");
    }
  }

  /** How many messages in {@code range} hold {@code word}, counted up to {@link #PROBE_LIMIT}. */
  private static int countWord(Handle handle, String word, SeqRange range) {
    return handle
        .createQuery(
            "SELECT COUNT(*) FROM (SELECT 1 FROM message_word WHERE word = :word"
                + " AND seq > :after AND seq < :before LIMIT :probe)")
        .bind("word", word)
        .bind("after", range.after())
        .bind("before", range.before())
        .bind("probe", PROBE_LIMIT)
        .mapTo(Integer.class)
        .one();
  }

  /** How many messages in {@code range} went between two agents, counted up to the limit. */
  private static int countConversation(Handle handle, String agent, String peer, SeqRange range) {
    String half =
        "SELECT COUNT(*) FROM (SELECT 1 FROM message WHERE recipient = :%s AND sender = :%s"
            + " AND seq > :after AND seq < :before LIMIT :probe)";
    return handle
        .createQuery(
            "SELECT ("
                + half.formatted("agent", "peer")
                + ") + ("
                + half.formatted("peer", "agent")
                + ")")
        .bind("agent", agent)
        .bind("peer", peer)
        .bind("after", range.after())
        .bind("before", range.before())
        .bind("probe", PROBE_LIMIT)
        .mapTo(Integer.class)
        .one();
  }

  private static String prefixed(String columns) {
    List<String> out = new ArrayList<>();
    for (String column : columns.split(",", -1)) {
      out.add("m." + column.trim());
    }
    return String.join(", ", out);
  }
}
