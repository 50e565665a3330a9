package agentmsg;

import agentmsg.internal.Ids;
import agentmsg.internal.mailbox.InboxImporter;
import agentmsg.internal.mailbox.MailboxLayout;
import agentmsg.internal.mailbox.MirrorWriter;
import agentmsg.internal.store.Database;
import agentmsg.internal.store.SendPipeline;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The front door: one agent's view of a data home. It registers agents, sends messages, reads and
 * waits for the inbox. Every message is committed to the store and synced to disk before a send
 * returns; then it is mirrored as JSON files, whose appearance wakes waiting readers at once.
 *
 * <pre>{@code
 * try (AgentMessenger alice = AgentMessenger.open(Options.fromEnvironment().agent("alice").build())) {
 *   alice.register(AgentType.CLAUDE_CODE);
 *   alice.send("bob", "can you run the tests?");
 *   for (Message reply : alice.waitForMessages(Duration.ofSeconds(30))) {
 *     System.out.println(reply.from() + ": " + reply.body());
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe. Several messengers, in one process or many, may share a data home.
 */
public final class AgentMessenger implements Messenger {
  private final Options options;
  private final MailboxLayout layout;
  private final Store store;
  private final MirrorWriter mirror;
  private final InboxImporter importer;

  /** Readers of waiting {@link #await} calls, closed (and so woken) by {@link #close}. */
  private final Set<InboxReader> waiting = ConcurrentHashMap.newKeySet();

  /** Started by {@link #announce}, closed by {@link #close}. */
  private final Set<InboxNotifier> notifiers = ConcurrentHashMap.newKeySet();

  private volatile boolean closed;

  private AgentMessenger(Options options) {
    this.options = options;
    this.layout = new MailboxLayout(options.home());
    this.store =
        Store.open(
            options.home(),
            options.databaseUrl() == null
                ? null
                : Database.parse(options.databaseUrl(), options.databasePasswordFile()),
            options.storeTimeout(),
            Store.Mode.shared(options.storeHost()),
            options.warningListener());
    this.mirror = new MirrorWriter(layout);
    this.importer =
        new InboxImporter(
            store, layout, mirror, options.maxMessageBytes(), options.warningListener());
  }

  /** Opens a messenger with the given options. The store is reached on first use. */
  public static AgentMessenger open(Options options) {
    return new AgentMessenger(Objects.requireNonNull(options, "options"));
  }

  /** Opens a messenger for {@code agent} in the data home the environment names. */
  public static AgentMessenger open(String agent) {
    return open(Options.fromEnvironment().agent(agent).build());
  }

  public Options options() {
    return options;
  }

  @Override
  public String agent() {
    return options.agent();
  }

  @Override
  public Agent register(AgentType type) {
    return register(agent(), type);
  }

  /**
   * Registers {@code name} with {@code type}, creating its inbox; registering again updates the
   * type and keeps the registration time and every message.
   */
  public Agent register(String name, AgentType type) {
    AgentNames.requireValid(name);
    Objects.requireNonNull(type, "type");
    long now = System.currentTimeMillis();
    Agent agent = store.registerAgent(name, type, now);
    store.sync();
    try {
      java.nio.file.Files.createDirectories(layout.inbox(name));
      java.nio.file.Files.createDirectories(layout.outbox(name));
    } catch (java.io.IOException e) {
      throw new MailboxException("cannot create the mail folders of '" + name + "': " + e, e);
    }
    return agent;
  }

  @Override
  public List<Agent> agents() {
    return store.agents();
  }

  /** The registered agent called {@code name}, if any. */
  public Optional<Agent> findAgent(String name) {
    return store.agent(name);
  }

  /**
   * Sends {@code body} to {@code to}, returning once it is durably stored.
   *
   * @throws UnknownAgentException if {@code to} is not registered
   * @throws InvalidMessageException if the body is empty or too large
   */
  @Override
  public Message send(String to, String body) {
    return send(to, body, Ids.newId());
  }

  /**
   * Sends with a caller-chosen id: sending again with the same id returns the message stored the
   * first time instead of storing a second copy.
   */
  public Message send(String to, String body, String id) {
    AgentNames.requireValid(to);
    if (!AgentNames.isValid(id)) {
      throw new InvalidMessageException(
          "invalid-id", "invalid message id '" + id + "': use 1-64 of A-Z a-z 0-9 . _ -");
    }
    return send(MessageDraft.to(to, body).withId(id)).get(0);
  }

  /** Unread messages, oldest first, marked read as they are returned (the original's name). */
  public List<Message> checkInbox() {
    return markRead(unread());
  }

  /** Unread messages, oldest first, left unread. */
  @Override
  public List<Message> unread() {
    importer.importAll(agent());
    return store.unread(agent());
  }

  /** The newest {@code limit} messages received, read or not, oldest first. Marks nothing. */
  public List<Message> history(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    importer.importAll(agent());
    return store.received(agent(), limit);
  }

  /**
   * Marks {@code messages} (to this agent) read now; returns them as marked. Repeating it is
   * harmless.
   */
  public List<Message> markRead(Collection<Message> messages) {
    return markRead(messages, Instant.ofEpochMilli(System.currentTimeMillis()));
  }

  /**
   * Marks {@code messages} (to this agent) read at {@code readAt}, e.g. the moment they were shown;
   * returns them as marked. Messages already read keep their first read time.
   */
  public List<Message> markRead(Collection<Message> messages, Instant readAt) {
    if (messages.isEmpty()) {
      return List.of();
    }
    List<String> ids = ids(messages);
    long at = readAt.toEpochMilli();
    store.markRead(agent(), ids, at);
    touchReceipts(messages, "read", at);
    return markedCopies(messages, readAt);
  }

  /** {@code messages} as they look once read at {@code readAt}, without touching the store. */
  public static List<Message> markedCopies(Collection<Message> messages, Instant readAt) {
    // Stored times have millisecond precision; show the time as it is stored.
    Instant at = Instant.ofEpochMilli(readAt.toEpochMilli());
    List<Message> marked = new ArrayList<>(messages.size());
    for (Message message : messages) {
      marked.add(message.markedRead(at));
    }
    return marked;
  }

  /**
   * Blocks until at least one unread message exists or {@code timeout} passes; returns the unread
   * messages marked read, or an empty list on timeout.
   */
  public List<Message> waitForMessages(Duration timeout) throws InterruptedException {
    return await(timeout).messages();
  }

  @Override
  public Taken take() {
    return Taken.of(checkInbox());
  }

  @Override
  // "try": closing the reader early inside its try (when close() raced the add) is deliberate.
  @SuppressWarnings("try")
  public Taken await(Duration timeout) throws InterruptedException {
    if (closed) {
      throw new AgentMsgException("interrupted", "the messenger of '" + agent() + "' is closed");
    }
    try (InboxReader reader = openInbox()) {
      waiting.add(reader);
      if (closed) {
        // close() may have run before the add: then it did not see this reader.
        reader.close();
      }
      try {
        List<Message> batch = reader.next(timeout);
        return Taken.of(batch.isEmpty() ? batch : reader.markRead(batch, Instant.now()));
      } catch (RuntimeException e) {
        if (closed) {
          return Taken.of(List.of()); // woken by close(), which may have closed the store under it
        }
        throw e;
      } finally {
        waiting.remove(reader);
      }
    }
  }

  @Override
  public AutoCloseable announce(Consumer<List<Message>> listener, Consumer<String> warnings) {
    InboxNotifier notifier = InboxNotifier.start(openInbox(), listener, warnings);
    notifiers.add(notifier);
    if (closed) {
      notifier.close();
    }
    return () -> {
      notifiers.remove(notifier);
      notifier.close();
    };
  }

  /**
   * Starts watching this agent's inbox. The watch is in place before the reader's first query, so a
   * message landing at any moment after this call is seen.
   *
   * @throws UnknownAgentException if this agent is not registered
   */
  public InboxReader openInbox() {
    store.requireRegistered(agent());
    return new InboxReader(
        new InboxReader.Source() {
          @Override
          public void importAll() {
            importer().importAll(agent());
          }

          @Override
          public void importNames(Collection<String> names) {
            importer().importNames(agent(), names);
          }

          @Override
          public List<Message> unreadExcept(Collection<String> exclude) {
            return AgentMessenger.this.unreadExcept(exclude);
          }

          @Override
          public List<Message> markRead(Collection<Message> messages, Instant readAt) {
            return AgentMessenger.this.markRead(messages, readAt);
          }

          @Override
          public Duration pollInterval() {
            return options().pollInterval();
          }
        },
        layout.inbox(agent()));
  }

  /** Unread messages not among {@code exclude}; used by {@link InboxReader}. */
  List<Message> unreadExcept(Collection<String> exclude) {
    List<Message> unread = store.unread(agent(), 0, Integer.MAX_VALUE);
    if (exclude.isEmpty()) {
      return unread;
    }
    List<Message> fresh = new ArrayList<>(unread.size());
    for (Message message : unread) {
      if (!exclude.contains(message.id())) {
        fresh.add(message);
      }
    }
    return fresh;
  }

  InboxImporter importer() {
    return importer;
  }

  private void writeMirror(Message message) {
    try {
      mirror.write(message);
    } catch (MailboxException e) {
      // The message is committed: the store is the truth, and doctor rebuilds the mirror.
      options.warningListener().accept(e.getMessage());
    }
  }

  /**
   * Sends a draft: to one agent, to {@code @all} (every registered agent but this one) or to
   * {@code @<group>} (its members but this one), one copy per recipient with its own id and read
   * state, all in one thread. Returns once every copy is durably stored.
   *
   * @throws UnknownAgentException if a single recipient is not registered
   * @throws AgentMsgException {@code unknown-group} or {@code no-recipients} for a fan-out
   */
  @Override
  public List<Message> send(MessageDraft draft) {
    return submit(draft).messages();
  }

  /**
   * Sends a draft as {@link #send(MessageDraft)} does, and tells what the sender should know: each
   * recipient's health, and whether the send made the loop guard hold its thread.
   *
   * @throws ThreadHeldException if the loop guard holds the thread; nothing is stored
   */
  @Override
  public Sent submit(MessageDraft draft) {
    Conversations.check(draft, options.maxMessageBytes());
    String from = agent();
    String id = draft.id() != null ? draft.id() : Ids.newId();
    SendPipeline.Result result =
        SendPipeline.oneShot()
            .loopLimit(options.loopLimit())
            .home(options.home())
            .send(
                store,
                List.of(new SendPipeline.Submission(from, draft, id, null, draft.id() != null)));
    SendPipeline.Outcome outcome = result.outcomes().get(0);
    if (outcome.failure() != null) {
      throw outcome.failure();
    }
    if (result.registered().contains(from)) {
      options
          .warningListener()
          .accept("registered sender '" + from + "' as type 'other' (set it with: register -t)");
    }
    List<Message> sent = new ArrayList<>(outcome.messages().size());
    for (StoredMessage stored : outcome.messages()) {
      sent.add(stored.message());
      writeMirror(stored.message());
    }
    return new Sent(sent, outcome.health(), outcome.heldThread(), outcome.holdLimit());
  }

  /**
   * Records that a watcher ({@code agent-msg watch}) of this agent is armed for {@code lifetime},
   * so that senders see it has a wake path; closing the handle records that it ended. A watcher
   * that dies without closing it counts as armed until its lifetime ends.
   */
  public java.io.Closeable watching(Duration lifetime) {
    String name = agent();
    long until = System.currentTimeMillis() + lifetime.toMillis();
    store.watchArmed(name, until);
    return () -> store.watchEnded(name, until, System.currentTimeMillis());
  }

  /** The threads among {@code threads} that the loop guard holds. */
  public Set<String> heldThreads(Collection<String> threads) {
    if (threads.isEmpty()) {
      return Set.of();
    }
    return store.heldThreads(threads);
  }

  /**
   * Gives the thread that {@code id} names or belongs to its own loop guard limit ({@code null}:
   * back to the default), which releases it if it is held under a lower one.
   *
   * @return the thread's count of agent messages in a row
   * @throws IllegalArgumentException if {@code limit} is not 0 or 2 to {@value
   *     Options#MAX_LOOP_LIMIT}
   */
  public int holdAfter(String thread, Integer limit) {
    if (limit != null && limit != 0 && (limit < 2 || limit > Options.MAX_LOOP_LIMIT)) {
      throw new IllegalArgumentException(
          "the limit must be 0 (off) or 2 to " + Options.MAX_LOOP_LIMIT + ", was " + limit);
    }
    return store.setThreadLimit(thread, limit, options.loopLimit(), System.currentTimeMillis());
  }

  /** The message with id {@code id}, if stored. */
  @Override
  public Optional<Message> message(String id) {
    return store.message(id);
  }

  /**
   * The thread that {@code id} names or belongs to, oldest first: {@code id} may be a thread id or
   * the id of any message in it. Empty if neither exists.
   */
  @Override
  public List<Message> thread(String id) {
    return store.thread(id);
  }

  /**
   * What became of a message: the message {@code id}, or, if there is none, every copy in the
   * thread {@code id} (the shared id of a broadcast or group send). Empty if neither exists.
   */
  @Override
  public List<Message> status(String id) {
    return store.messageOrThread(id);
  }

  /**
   * Acknowledges messages sent to this agent (an ack implies read). Acking twice is harmless.
   *
   * @return the messages that were not acked before, as they are now
   * @throws AgentMsgException {@code unknown-message} or {@code not-recipient} for a bad id; then
   *     nothing is acked
   */
  @Override
  public List<Message> ack(Collection<String> ids) {
    long now = System.currentTimeMillis();
    List<Message> changed = store.ack(agent(), ids, now);
    store.sync();
    touchReceipts(changed, "acked", now);
    List<Message> acked = new ArrayList<>(changed.size());
    for (Message message : changed) {
      acked.add(Conversations.acked(message, Instant.ofEpochMilli(now)));
    }
    return acked;
  }

  /**
   * Messages that asked for an ack and have none yet, oldest first: those this agent owes (sent to
   * it) and those owed to it (sent by it).
   */
  @Override
  public List<Message> pendingAcks() {
    return store.pendingAcks(agent());
  }

  /** Unread messages to this agent that the hook has not surfaced yet, oldest first. */
  public List<Message> unsurfaced(int limit) {
    importer.importAll(agent());
    return store.unsurfaced(agent(), limit);
  }

  /** Records that {@code messages} (to this agent) were put into its model's context now. */
  public void markSurfaced(Collection<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    List<String> ids = ids(messages);
    long now = System.currentTimeMillis();
    store.markSurfaced(agent(), ids, now);
    touchReceipts(messages, "surfaced", now);
  }

  /**
   * The messages this agent sent or received that match {@code query}, newest first. A message id
   * given as the query's thread names that message's thread.
   */
  @Override
  public List<Message> history(HistoryQuery query) {
    if (query.thread() != null) {
      String named = query.thread();
      query = query.withThread(message(named).map(Message::thread).orElse(named));
    }
    importer.importAll(agent());
    return store.history(agent(), query);
  }

  /**
   * Starts watching this agent's receipts folder, so that {@link ReceiptWatch#await} wakes when a
   * recipient reads or acks. Open it before sending, so that no receipt is missed.
   */
  public ReceiptWatch watchReceipts() {
    return new ReceiptWatch(this::current, options().pollInterval(), layout.receipts(agent()));
  }

  /** The current state of the messages {@code ids}; used by {@link ReceiptWatch}. */
  List<Message> current(Collection<String> ids) {
    return store.messages(ids);
  }

  /**
   * Creates group {@code name} with {@code members} (registered agents). The name follows the agent
   * name rule and may not be {@code all}.
   */
  @Override
  public void createGroup(String name, Collection<String> members) {
    Conversations.checkGroupName(name);
    long now = System.currentTimeMillis();
    store.createGroup(name, members, now);
    store.sync();
  }

  /** Adds registered agents to group {@code name}; returns how many were not members yet. */
  @Override
  public int addToGroup(String name, Collection<String> members) {
    int added = store.addToGroup(name, members);
    store.sync();
    return added;
  }

  /** Removes agents from group {@code name}; returns how many were members. */
  @Override
  public int removeFromGroup(String name, Collection<String> members) {
    int removed = store.removeFromGroup(name, members);
    store.sync();
    return removed;
  }

  /** Deletes group {@code name} (not its members' messages). */
  @Override
  public void deleteGroup(String name) {
    store.deleteGroup(name);
    store.sync();
  }

  /** Every group with its members, by name. */
  @Override
  public Map<String, List<String>> groups() {
    return store.groups();
  }

  /** The members of group {@code name}. */
  public List<String> groupMembers(String name) {
    return store.groupMembers(name);
  }

  /**
   * Rewrites one small file per sender in its receipts folder, which wakes a sender waiting for a
   * receipt. Best effort: the store holds the truth, and waiters also re-check on an interval.
   */
  private void touchReceipts(Collection<Message> messages, String state, long atMillis) {
    Set<String> senders = new LinkedHashSet<>();
    for (Message message : messages) {
      senders.add(message.from());
    }
    for (String sender : senders) {
      String json =
          "{\"reader\":\"" + agent() + "\",\"state\":\"" + state + "\",\"at\":" + atMillis + "}\n";
      try {
        mirror.place(json.getBytes(StandardCharsets.UTF_8), layout.receiptFile(sender, agent()));
      } catch (MailboxException e) {
        options.warningListener().accept(e.getMessage());
      }
    }
  }

  private static List<String> ids(Collection<Message> messages) {
    List<String> ids = new ArrayList<>(messages.size());
    for (Message message : messages) {
      ids.add(message.id());
    }
    return ids;
  }

  /**
   * Stops announcing, wakes every waiting {@link #await}, and closes the connection to the store.
   */
  @Override
  public void close() {
    closed = true;
    for (InboxNotifier notifier : List.copyOf(notifiers)) {
      notifier.close();
    }
    for (InboxReader reader : List.copyOf(waiting)) {
      reader.close();
    }
    store.close();
  }
}
