package agentmsg.internal.store;

import agentmsg.Agent;
import agentmsg.Message;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the server's console asks of the message store: every agent with its counts, pages of the
 * newest messages, a thread, what is new after a sequence number, the threads the loop guard holds,
 * full-text search over every agent's messages, and what a person's send needs. Each read is
 * bounded by a limit or an index range, so the store's size does not set its cost; each operation
 * is one unit of work, retried as a whole while the store is busy.
 *
 * <p>Thread-safe.
 */
public interface ConsoleStore {
  /** Every registered agent, by name, with its unread messages and the acks it owes. */
  List<AgentSummary> agentSummaries();

  /**
   * The newest {@code limit} messages with a sequence number below {@code before}, newest first.
   */
  List<Message> newest(long before, int limit);

  /** At most {@code limit} messages with a sequence number above {@code after}, oldest first. */
  List<Message> after(long after, int limit);

  /** At most {@code limit} messages of thread {@code thread}, oldest first. */
  List<Message> threadMessages(String thread, int limit);

  /**
   * The receipt times of at most {@code limit} messages with a sequence number above {@code after},
   * as one key per message (by sequence number) that changes when any receipt does.
   */
  Map<Long, String> receipts(long after, int limit);

  /** The messages with the sequence numbers {@code seqs}, oldest first. */
  List<Message> bySeq(Collection<Long> seqs);

  /** Those of {@code threads} that the loop guard holds. */
  Map<String, HeldThread> held(Collection<String> threads);

  /** The threads the loop guard holds, by id, at most {@code limit}. */
  List<HeldThread> held(int limit);

  /** The highest sequence number stored, or 0. */
  long lastSeq();

  /**
   * The newest messages of any agent holding every word of {@code text}, below {@code before},
   * newest first; with {@code agent}, exactly what {@code history --text} shows that agent.
   *
   * @throws IllegalArgumentException when {@code text} has no word to search for
   */
  List<Message> search(String agent, String text, long before, int limit);

  /** The stored message {@code id}, if any. */
  Optional<StoredMessage> stored(String id);

  /** Registers {@code name} as a human unless it is registered already. */
  void registerHumanIfAbsent(String name, long nowMillis);

  /** An agent as the console lists it. */
  record AgentSummary(Agent agent, int unread, int acksOwed) {}

  /**
   * A thread the loop guard holds ({@link ThreadGuard}): its agent messages in a row since the last
   * human's, and its own limit, or null when the default applies.
   */
  record HeldThread(String thread, int run, Integer ownLimit) {
    /** The limit that holds it, {@code defaultLimit} unless the thread has its own. */
    public int limit(int defaultLimit) {
      return ownLimit != null ? ownLimit : defaultLimit;
    }
  }
}
