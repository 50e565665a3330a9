package agentmsg.internal.store;

import agentmsg.Agent;
import agentmsg.AgentType;
import agentmsg.HistoryQuery;
import agentmsg.Message;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one agent's messenger, the importer of dropped files and housekeeping ask of the message
 * store. Each operation is one unit of work: it runs in one transaction where it writes more than
 * one row, and is retried as a whole while the store is busy changing hands, so it must stay
 * idempotent. A name that must be registered throws {@link agentmsg.UnknownAgentException} when it
 * is not.
 *
 * <p>Thread-safe.
 */
public interface MailStore {
  /**
   * Registers {@code name} with {@code type}, or updates the type of a registered agent (keeping
   * its registration time); returns it as stored.
   */
  Agent registerAgent(String name, AgentType type, long nowMillis);

  /** Every registered agent, by name. */
  List<Agent> agents();

  /** The registered agent called {@code name}, if any. */
  Optional<Agent> agent(String name);

  /** Throws {@link agentmsg.UnknownAgentException} unless {@code agent} is registered. */
  void requireRegistered(String agent);

  /** The unread messages of registered {@code agent}, oldest first. */
  List<Message> unread(String agent);

  /**
   * At most {@code limit} unread messages of {@code agent} after sequence number {@code afterSeq},
   * oldest first, without checking that the agent is registered.
   */
  List<Message> unread(String agent, long afterSeq, int limit);

  /** The newest {@code limit} messages registered {@code agent} received, oldest first. */
  List<Message> received(String agent, int limit);

  /**
   * Marks the messages {@code ids} to {@code agent} read at {@code atMillis} (those read before
   * keep their first read time) and records that the agent was seen then.
   */
  void markRead(String agent, Collection<String> ids, long atMillis);

  /** Records that a watcher of {@code agent} is armed until {@code untilMillis}. */
  void watchArmed(String agent, long untilMillis);

  /** Records that the watcher of {@code agent} armed until {@code untilMillis} ended now. */
  void watchEnded(String agent, long untilMillis, long nowMillis);

  /** The threads among {@code threads} that the loop guard holds. */
  Set<String> heldThreads(Collection<String> threads);

  /**
   * Gives {@code thread} its own loop guard limit ({@code null}: back to {@code defaultLimit}),
   * releasing it if it is held under a lower one; returns its count of agent messages in a row.
   */
  int setThreadLimit(String thread, Integer limit, int defaultLimit, long nowMillis);

  /** The message with id {@code id}, if stored. */
  Optional<Message> message(String id);

  /** Those of the messages {@code ids} that are stored, as they are now, in the order of ids. */
  List<Message> messages(Collection<String> ids);

  /**
   * The thread that {@code id} names or belongs to, oldest first: a thread id or the id of any
   * message in it.
   */
  List<Message> thread(String id);

  /** The message {@code id}, or, if there is none, every copy in the thread {@code id}. */
  List<Message> messageOrThread(String id);

  /**
   * Acknowledges the messages {@code ids} sent to {@code agent} (which marks them read too) and
   * records that the agent was seen; returns those not acked before, as they are now.
   *
   * @throws agentmsg.AgentMsgException {@code unknown-message} or {@code not-recipient} for a bad
   *     id; then nothing is acked
   */
  List<Message> ack(String agent, Collection<String> ids, long nowMillis);

  /** Messages to or from {@code agent} that asked for an ack and have none yet, oldest first. */
  List<Message> pendingAcks(String agent);

  /** At most {@code limit} unread messages to registered {@code agent} not surfaced yet. */
  List<Message> unsurfaced(String agent, int limit);

  /** Records that the messages {@code ids} to {@code agent} were surfaced at {@code nowMillis}. */
  void markSurfaced(String agent, Collection<String> ids, long nowMillis);

  /** The messages registered {@code agent} sent or received that match {@code query}. */
  List<Message> history(String agent, HistoryQuery query);

  /** Creates group {@code name} with {@code members}, who must be registered. */
  void createGroup(String name, Collection<String> members, long nowMillis);

  /** Adds registered agents to existing group {@code name}; returns how many were not members. */
  int addToGroup(String name, Collection<String> members);

  /** Removes agents from existing group {@code name}; returns how many were members. */
  int removeFromGroup(String name, Collection<String> members);

  /** Deletes existing group {@code name} (not its members' messages). */
  void deleteGroup(String name);

  /** Every group with its members, by name. */
  Map<String, List<String>> groups();

  /** The members of existing group {@code name}. */
  List<String> groupMembers(String name);

  /** Where the last look at {@code agent}'s inbox folder got to, if one was recorded. */
  Optional<ScanMark> scanMark(String agent);

  /** Records where a look at {@code agent}'s inbox folder got to. */
  void saveScanMark(String agent, ScanMark mark);

  /** Which of {@code ids} are of stored messages, and which of the others of pruned ones. */
  Known known(Collection<String> ids);

  /**
   * Stores a message found as a file: the stored one if its id is taken (also by another process
   * meanwhile), empty if prune deleted a message with that id.
   */
  Optional<Message> importMessage(NewMessage message);

  /**
   * One page of the messages prune may delete: stored before {@code cutoffMillis}, after sequence
   * number {@code afterSeq}, read and acked unless {@code includeUnread}; deleted (and remembered
   * as pruned at {@code nowMillis}) in the same transaction unless {@code dryRun}.
   */
  List<Message> prunePage(
      long cutoffMillis, boolean includeUnread, long afterSeq, boolean dryRun, long nowMillis);

  /** How many messages are stored from before {@code cutoffMillis}. */
  long countBefore(long cutoffMillis);

  /** A page of the pruned messages remembered since before {@code beforeMillis}, after an id. */
  List<Pruned> prunedBefore(long beforeMillis, String afterId);

  /** Forgets the pruned messages {@code pruned}. */
  void forget(Collection<Pruned> pruned);

  /** The newest migration applied to the schema, e.g. {@code 3}, or {@code none}. */
  String schemaVersion();

  /** The schema version this code expects. */
  int expectedSchemaVersion();

  /** At most {@code limit} messages after sequence number {@code afterSeq}, by sequence number. */
  List<Message> page(long afterSeq, int limit);

  /** Forces everything committed so far to the disk. */
  void sync();

  /**
   * Where a look at one inbox folder got to.
   *
   * @param folderId the folder's device and inode
   * @param folderStamp the folder's stamp when the look left nothing in it to look at again, or
   *     null when it cannot vouch for the whole folder
   * @param checkedBefore every file whose change time is before this (epoch ms) was looked at
   * @param fullAt when a look last checked every file name (epoch ms)
   * @param scannedAt when the look that recorded this started (epoch ms)
   */
  record ScanMark(
      String folderId, String folderStamp, long checkedBefore, long fullAt, long scannedAt) {}

  /**
   * A message that prune deleted, as remembered.
   *
   * @param id its id
   * @param from its sender (whose outbox had a mirror file)
   * @param to its recipient (whose inbox had a mirror file)
   */
  record Pruned(String id, String from, String to) {}

  /**
   * Which of some ids are of stored messages, and which of the others are of pruned ones.
   *
   * @param stored the ids of stored messages
   * @param pruned the ids of messages that prune deleted (and still remembers)
   */
  record Known(Set<String> stored, Set<String> pruned) {}
}
