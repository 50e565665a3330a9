package agentmsg;

import agentmsg.internal.store.Words;
import java.time.Instant;

/**
 * What {@link AgentMessenger#history(HistoryQuery)} looks for among the messages an agent sent or
 * received. Every filter is optional (null); they combine with AND. Immutable.
 *
 * @param peer only messages exchanged with this agent
 * @param thread only messages of this thread
 * @param since only messages stored at or after this time
 * @param until only messages stored before this time
 * @param text only messages whose body or subject contain every word of this text (words as the
 *     search tokenizer cuts them: letters and digits, case-insensitive, at least 2 characters)
 * @param limit at most this many, the newest
 */
public record HistoryQuery(
    String peer, String thread, Instant since, Instant until, String text, int limit) {
  public HistoryQuery {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
  }

  /** The newest {@code limit} messages, unfiltered. */
  public static HistoryQuery newest(int limit) {
    return new HistoryQuery(null, null, null, null, null, limit);
  }

  public HistoryQuery withPeer(String value) {
    return new HistoryQuery(value, thread, since, until, text, limit);
  }

  public HistoryQuery withThread(String value) {
    return new HistoryQuery(peer, value, since, until, text, limit);
  }

  public HistoryQuery withSince(Instant value) {
    return new HistoryQuery(peer, thread, value, until, text, limit);
  }

  public HistoryQuery withUntil(Instant value) {
    return new HistoryQuery(peer, thread, since, value, text, limit);
  }

  /**
   * Checks that {@code text} can match a message, as {@link #withText} needs: that it has a word of
   * two or more letters or digits. For callers that refuse a search before opening a store.
   *
   * @return {@code text}
   * @throws IllegalArgumentException if it has none, saying so
   */
  public static String requireSearchable(String text) {
    Words.ofSearch(text);
    return text;
  }

  public HistoryQuery withText(String value) {
    return new HistoryQuery(peer, thread, since, until, value, limit);
  }
}
