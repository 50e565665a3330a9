package agentmsg.internal.store;

import agentmsg.Agent;
import agentmsg.AgentMsgException;
import agentmsg.AgentType;
import agentmsg.HistoryQuery;
import agentmsg.Message;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The store's operations, each one unit of work ({@link #call}) over the row classes, whose SQL
 * {@link Dialect} makes H2's or PostgreSQL's. The superclass of {@link Store} only so that Store
 * stays about reaching the database (connection, retry, sync) and this class about what is asked of
 * it: together they would be over 1,000 lines.
 *
 * <p>Thread-safe, as {@link Store} is.
 */
abstract class RowOperations implements MailStore, TokenStore, ServerStore, ConsoleStore {
  /**
   * Runs {@code work} on the store's connection, retrying it while the failure is transient; see
   * {@link Store#call}.
   */
  abstract <T> T call(Store.Work<T> work);

  /** Runs {@code work} like {@link #call}, for work with no result. */
  final void run(Store.VoidWork work) {
    call(
        handle -> {
          work.run(handle);
          return null;
        });
  }

  // The messenger's agents and inbox.

  @Override
  public Agent registerAgent(String name, AgentType type, long nowMillis) {
    return call(handle -> handle.inTransaction(tx -> AgentRows.upsert(tx, name, type, nowMillis)));
  }

  @Override
  public List<Agent> agents() {
    return call(AgentRows::all);
  }

  @Override
  public Optional<Agent> agent(String name) {
    return call(handle -> AgentRows.find(handle, name));
  }

  @Override
  public void requireRegistered(String agent) {
    run(handle -> AgentRows.requireRegistered(handle, agent));
  }

  @Override
  public List<Message> unread(String agent) {
    return call(
        handle -> {
          AgentRows.requireRegistered(handle, agent);
          return MessageRows.unread(handle, agent, 0, Integer.MAX_VALUE);
        });
  }

  @Override
  public List<Message> unread(String agent, long afterSeq, int limit) {
    return call(handle -> MessageRows.unread(handle, agent, afterSeq, limit));
  }

  @Override
  public List<Message> received(String agent, int limit) {
    return call(
        handle -> {
          AgentRows.requireRegistered(handle, agent);
          return MessageRows.received(handle, agent, limit);
        });
  }

  @Override
  public void markRead(String agent, Collection<String> ids, long atMillis) {
    run(
        handle ->
            handle.useTransaction(
                tx -> {
                  MessageRows.markRead(tx, agent, ids, atMillis);
                  AgentRows.touch(tx, agent, atMillis);
                }));
  }

  @Override
  public void watchArmed(String agent, long untilMillis) {
    run(handle -> Recipients.watchArmed(handle, agent, untilMillis));
  }

  @Override
  public void watchEnded(String agent, long untilMillis, long nowMillis) {
    run(handle -> Recipients.watchEnded(handle, agent, untilMillis, nowMillis));
  }

  @Override
  public Set<String> heldThreads(Collection<String> threads) {
    return call(handle -> ThreadGuard.held(handle, threads));
  }

  @Override
  public int setThreadLimit(String thread, Integer limit, int defaultLimit, long nowMillis) {
    return call(
        handle ->
            handle.inTransaction(
                tx -> ThreadGuard.setLimit(tx, thread, limit, defaultLimit, nowMillis)));
  }

  // Messages and threads.

  @Override
  public Optional<Message> message(String id) {
    return call(handle -> MessageRows.find(handle, id));
  }

  @Override
  public List<Message> messages(Collection<String> ids) {
    return call(
        handle -> {
          List<Message> found = new ArrayList<>(ids.size());
          for (String id : ids) {
            MessageRows.find(handle, id).ifPresent(found::add);
          }
          return found;
        });
  }

  @Override
  public List<Message> thread(String id) {
    return call(
        handle -> {
          String thread = MessageRows.find(handle, id).map(Message::thread).orElse(id);
          return ConversationRows.thread(handle, thread);
        });
  }

  @Override
  public List<Message> messageOrThread(String id) {
    return call(handle -> ConversationRows.messageOrThread(handle, id));
  }

  @Override
  public List<Message> ack(String agent, Collection<String> ids, long nowMillis) {
    return call(
        handle ->
            handle.inTransaction(
                tx -> {
                  for (String id : ids) {
                    Message message =
                        MessageRows.find(tx, id)
                            .orElseThrow(
                                () ->
                                    new AgentMsgException(
                                        "unknown-message", "no message with id '" + id + "'"));
                    if (!message.to().equals(agent)) {
                      throw new AgentMsgException(
                          "not-recipient",
                          "message "
                              + id
                              + " was sent to '"
                              + message.to()
                              + "', not to '"
                              + agent
                              + "'; only its recipient can ack it");
                    }
                  }
                  AgentRows.touch(tx, agent, nowMillis);
                  return ConversationRows.ack(tx, agent, ids, nowMillis);
                }));
  }

  @Override
  public List<Message> pendingAcks(String agent) {
    return call(handle -> ConversationRows.pendingAcks(handle, agent));
  }

  @Override
  public List<Message> unsurfaced(String agent, int limit) {
    return call(
        handle -> {
          AgentRows.requireRegistered(handle, agent);
          return ConversationRows.unsurfaced(handle, agent, limit);
        });
  }

  @Override
  public void markSurfaced(String agent, Collection<String> ids, long nowMillis) {
    run(
        handle ->
            handle.useTransaction(tx -> ConversationRows.markSurfaced(tx, agent, ids, nowMillis)));
  }

  @Override
  public List<Message> history(String agent, HistoryQuery query) {
    return call(
        handle -> {
          AgentRows.requireRegistered(handle, agent);
          return HistoryRows.history(handle, agent, query);
        });
  }

  // Groups.

  @Override
  public void createGroup(String name, Collection<String> members, long nowMillis) {
    run(
        handle ->
            handle.useTransaction(
                tx -> {
                  AgentRows.requireRegistered(tx, members);
                  GroupRows.create(tx, name, nowMillis);
                  GroupRows.add(tx, name, members);
                }));
  }

  @Override
  public int addToGroup(String name, Collection<String> members) {
    return call(
        handle ->
            handle.inTransaction(
                tx -> {
                  FanOut.requireGroup(tx, name);
                  AgentRows.requireRegistered(tx, members);
                  return GroupRows.add(tx, name, members);
                }));
  }

  @Override
  public int removeFromGroup(String name, Collection<String> members) {
    return call(
        handle ->
            handle.inTransaction(
                tx -> {
                  FanOut.requireGroup(tx, name);
                  return GroupRows.remove(tx, name, members);
                }));
  }

  @Override
  public void deleteGroup(String name) {
    run(
        handle ->
            handle.useTransaction(
                tx -> {
                  FanOut.requireGroup(tx, name);
                  GroupRows.delete(tx, name);
                }));
  }

  @Override
  public Map<String, List<String>> groups() {
    return call(GroupRows::all);
  }

  @Override
  public List<String> groupMembers(String name) {
    return call(
        handle -> {
          FanOut.requireGroup(handle, name);
          return GroupRows.members(handle, name);
        });
  }

  // Importing dropped files.

  @Override
  public Optional<ScanMark> scanMark(String agent) {
    return call(handle -> InboxScanRows.find(handle, agent));
  }

  @Override
  public void saveScanMark(String agent, ScanMark mark) {
    run(handle -> InboxScanRows.save(handle, agent, mark));
  }

  @Override
  public Known known(Collection<String> ids) {
    return call(handle -> ConversationRows.known(handle, ids));
  }

  @Override
  public Optional<Message> importMessage(NewMessage row) {
    return call(
        handle ->
            handle.inTransaction(
                tx -> {
                  Optional<Message> existing = MessageRows.find(tx, row.id());
                  // Looked for after the message itself (see ConversationRows.known).
                  if (existing.isPresent()
                      || !ConversationRows.pruned(tx, List.of(row.id())).isEmpty()) {
                    return existing;
                  }
                  try {
                    return Optional.of(DeliveryRows.insertAll(tx, List.of(row)).get(0).message());
                  } catch (SQLException e) {
                    if (!DeliveryRows.isDuplicateKey(e)) {
                      throw e;
                    }
                    // Another process stored the same id since the look-up: that one is it.
                    return MessageRows.find(tx, row.id());
                  }
                }));
  }

  // Housekeeping.

  @Override
  public List<Message> prunePage(
      long cutoffMillis, boolean includeUnread, long afterSeq, boolean dryRun, long nowMillis) {
    return call(
        handle ->
            handle.inTransaction(
                tx -> {
                  List<Message> page =
                      ConversationRows.prunable(tx, cutoffMillis, includeUnread, afterSeq);
                  if (!dryRun) {
                    ConversationRows.delete(tx, page, nowMillis);
                  }
                  return page;
                }));
  }

  @Override
  public long countBefore(long cutoffMillis) {
    return call(
        handle ->
            handle
                .createQuery("SELECT COUNT(*) FROM message WHERE created_at < :cutoff")
                .bind("cutoff", cutoffMillis)
                .mapTo(Long.class)
                .one());
  }

  @Override
  public List<Pruned> prunedBefore(long beforeMillis, String afterId) {
    return call(handle -> ConversationRows.prunedBefore(handle, beforeMillis, afterId));
  }

  @Override
  public void forget(Collection<Pruned> pruned) {
    run(handle -> handle.useTransaction(tx -> ConversationRows.forget(tx, pruned)));
  }

  @Override
  public String schemaVersion() {
    return call(ConversationRows::schemaVersion);
  }

  @Override
  public int expectedSchemaVersion() {
    return ConversationRows.expectedSchemaVersion();
  }

  @Override
  public List<Message> page(long afterSeq, int limit) {
    return call(handle -> ConversationRows.page(handle, afterSeq, limit));
  }

  // Tokens.

  @Override
  public boolean isRegistered(String agent) {
    return call(handle -> AgentRows.exists(handle, agent));
  }

  @Override
  public boolean hasValidToken(String agent) {
    return call(handle -> TokenRows.hasValid(handle, agent));
  }

  @Override
  public Optional<Owner> validToken(String tokenHash) {
    return call(handle -> TokenRows.findValid(handle, tokenHash));
  }

  @Override
  public Optional<String> adoptToken(String agent, String tokenHash, long nowMillis) {
    return call(
        handle ->
            handle.inTransaction(
                tx -> {
                  Optional<String> owner = TokenRows.ownerOf(tx, tokenHash);
                  if (owner.isEmpty()) {
                    TokenRows.insertIfAbsent(tx, agent, tokenHash, nowMillis);
                  }
                  return owner.filter(other -> !other.equals(agent));
                }));
  }

  @Override
  public boolean replaceTokens(String agent, String tokenHash, long nowMillis) {
    return call(
        handle ->
            handle.inTransaction(
                tx -> {
                  if (!AgentRows.exists(tx, agent) && !TokenRows.hasValid(tx, agent)) {
                    return false;
                  }
                  TokenRows.revokeAll(tx, agent, nowMillis);
                  TokenRows.insert(tx, agent, tokenHash, nowMillis);
                  return true;
                }));
  }

  // The server.

  @Override
  public List<Message> visibleHistory(String agent, HistoryQuery query) {
    return call(
        handle -> {
          HistoryQuery resolved = query;
          if (query.thread() != null) {
            // A message id names its thread, but only a message this agent may see.
            String thread =
                MessageRows.find(handle, query.thread())
                    .filter(message -> message.from().equals(agent) || message.to().equals(agent))
                    .map(Message::thread)
                    .orElse(query.thread());
            resolved = query.withThread(thread);
          }
          return HistoryRows.history(handle, agent, resolved);
        });
  }

  @Override
  public List<StoredMessage> undelivered(String agent, long afterSeq, int limit) {
    return call(handle -> DeliveryRows.undelivered(handle, agent, afterSeq, limit));
  }

  @Override
  public Optional<Recipients.Holder> heldElsewhere(String agent, String node, long nowMillis) {
    return call(handle -> Recipients.heldElsewhere(handle, agent, node, nowMillis));
  }

  @Override
  public void reserveSeqs() {
    run(DeliveryRows::reserveSeqs);
  }

  @Override
  public void serverStarted(String node, long nowMillis) {
    run(handle -> Recipients.serverStarted(handle, node, nowMillis));
  }

  @Override
  public void beat(String node, long nowMillis) {
    run(handle -> Recipients.beat(handle, node, nowMillis));
  }

  @Override
  public void serverStopped(String node) {
    run(handle -> Recipients.serverStopped(handle, node));
  }

  @Override
  public int indexWords(int limit) {
    return call(handle -> WordIndex.indexSome(handle, limit));
  }

  // The console.

  @Override
  public List<AgentSummary> agentSummaries() {
    return call(ConsoleRows::agents);
  }

  @Override
  public List<Message> newest(long before, int limit) {
    return call(handle -> ConsoleRows.newest(handle, before, limit));
  }

  @Override
  public List<Message> after(long after, int limit) {
    return call(handle -> ConsoleRows.after(handle, after, limit));
  }

  @Override
  public List<Message> threadMessages(String thread, int limit) {
    return call(handle -> ConsoleRows.thread(handle, thread, limit));
  }

  @Override
  public Map<Long, String> receipts(long after, int limit) {
    return call(handle -> ConsoleRows.receipts(handle, after, limit));
  }

  @Override
  public List<Message> bySeq(Collection<Long> seqs) {
    return call(handle -> ConsoleRows.bySeq(handle, seqs));
  }

  @Override
  public Map<String, HeldThread> held(Collection<String> threads) {
    return call(handle -> ConsoleRows.held(handle, threads));
  }

  @Override
  public List<HeldThread> held(int limit) {
    return call(handle -> ConsoleRows.held(handle, limit));
  }

  @Override
  public long lastSeq() {
    return call(ConsoleRows::lastSeq);
  }

  @Override
  public List<Message> search(String agent, String text, long before, int limit) {
    return call(handle -> ConsoleRows.search(handle, agent, text, before, limit));
  }

  @Override
  public Optional<StoredMessage> stored(String id) {
    return call(handle -> DeliveryRows.byIds(handle, List.of(id))).values().stream().findFirst();
  }

  @Override
  public void registerHumanIfAbsent(String name, long nowMillis) {
    run(
        handle -> {
          if (!AgentRows.exists(handle, name)) {
            AgentRows.upsert(handle, name, AgentType.HUMAN, nowMillis);
          }
        });
  }
}
