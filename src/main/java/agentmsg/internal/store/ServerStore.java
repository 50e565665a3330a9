package agentmsg.internal.store;

import agentmsg.Agent;
import agentmsg.HistoryQuery;
import agentmsg.Message;
import java.util.List;
import java.util.Optional;

/**
 * What the WebSocket server asks of the message store besides its writer's batches ({@link
 * Store#inBatch}): the reads its clients ask for, the pushes' reads, and its presence among the
 * servers sharing a database. Each operation is one unit of work, retried as a whole while the
 * store is busy.
 *
 * <p>Thread-safe.
 */
public interface ServerStore {
  /** Every registered agent, by name. */
  List<Agent> agents();

  /**
   * The messages {@code agent} sent or received that match {@code query}, newest first. A message
   * id given as the query's thread names that message's thread, but only if {@code agent} sent or
   * received it.
   *
   * @throws IllegalArgumentException when the query cannot be run (e.g. a search with no word)
   */
  List<Message> visibleHistory(String agent, HistoryQuery query);

  /** The message {@code id}, or, if there is none, every copy in the thread {@code id}. */
  List<Message> messageOrThread(String id);

  /**
   * At most {@code limit} messages to {@code agent} after sequence number {@code afterSeq} that are
   * neither delivered nor read, oldest first.
   */
  List<StoredMessage> undelivered(String agent, long afterSeq, int limit);

  /**
   * Another server than {@code node} that holds a live receiving connection of {@code agent} now,
   * if one does.
   */
  Optional<Recipients.Holder> heldElsewhere(String agent, String node, long nowMillis);

  /** Enlarges the cache of message sequence numbers, for a process that stores many. */
  void reserveSeqs();

  /** Records that server {@code node} started at {@code nowMillis}. */
  void serverStarted(String node, long nowMillis);

  /** Records that server {@code node} is alive at {@code nowMillis}. */
  void beat(String node, long nowMillis);

  /** Records that server {@code node} stopped: it holds no receiving connection any more. */
  void serverStopped(String node);

  /** Indexes the words of at most {@code limit} messages stored earlier; returns how many. */
  int indexWords(int limit);
}
