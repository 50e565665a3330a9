package agentmsg.mcp;

import agentmsg.Agent;
import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import agentmsg.HistoryQuery;
import agentmsg.InvalidMessageException;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.MessageTooLargeException;
import agentmsg.Options;
import agentmsg.Sent;
import agentmsg.internal.Ids;
import agentmsg.internal.RecentIds;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.ServerFrame;
import agentmsg.internal.wire.Timestamps;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The mailbox of one agent on an agent-msg server, over one receiving connection ({@link
 * ServerLink}, which reconnects by itself); no local store is opened. The server pushes the agent's
 * messages; they are kept, in order and once each, until a tool takes them, and acked only once the
 * tool result holding them has reached the client: a message the model was not given is pushed
 * again after a reconnect or a restart. Reads ({@code history}, {@code list_agents}, {@code
 * message_status}) are requests the server answers for this agent only. Thread-safe.
 */
public final class RemoteMailbox implements Mailbox {
  /** How long a call waits for the server (to come back, or to answer) before it fails. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private static final int REMEMBERED = 10_000;

  private final String agent;
  private final Object lock = new Object();
  private volatile ServerLink link;

  // Guarded by lock.
  private final Map<String, Message> unread = new LinkedHashMap<>();

  /** Ids given to the model in a tool result (acked once it reached the client). */
  private final RecentIds handed = new RecentIds(REMEMBERED);

  /** Ids whose tool result reached the client: acked, and acked again if pushed again. */
  private final RecentIds delivered = new RecentIds(REMEMBERED);

  private Consumer<List<Message>> listener;
  private ExecutorService announcer;

  private RemoteMailbox(String agent) {
    this.agent = AgentNames.requireValid(agent);
  }

  /**
   * Connects to the server at {@code url} as {@code agent}'s receiving connection and returns once
   * the server welcomed it.
   *
   * @param headers the upgrade headers (the credential)
   * @param authHint what to say if the server answers 401
   * @param caPem certificates to trust for {@code wss://}, or null
   * @param warnings hears of lost connections and reconnects
   * @throws AgentMsgException with the code of the failure ({@code server-unavailable}, {@code
   *     unauthorized}, {@code already-connected}, ...) if the first connection fails
   */
  public static RemoteMailbox open(
      URI url,
      Map<String, String> headers,
      String authHint,
      Path caPem,
      String agent,
      Consumer<String> warnings)
      throws InterruptedException {
    RemoteMailbox mailbox = new RemoteMailbox(agent);
    mailbox.link =
        ServerLink.open(
            url,
            headers,
            authHint,
            caPem,
            agent,
            warnings,
            new ServerLink.Handler() {
              @Override
              public void pushed(ServerFrame.Push push) {
                mailbox.received(push);
              }

              @Override
              public void changed() {
                synchronized (mailbox.lock) {
                  mailbox.lock.notifyAll();
                }
              }
            });
    return mailbox;
  }

  @Override
  public String agent() {
    return agent;
  }

  /** The URL of the server, without any query (it may hold a token). */
  public String server() {
    return link.where();
  }

  /** Keeps a pushed message until a tool takes it; acks again one the client already has. */
  private void received(ServerFrame.Push push) {
    Message message = message(push);
    boolean ackAgain = false;
    Consumer<List<Message>> announceTo = null;
    ExecutorService executor = null;
    synchronized (lock) {
      if (handed.contains(push.id())) {
        ackAgain = delivered.contains(push.id());
      } else if (!unread.containsKey(push.id())) {
        unread.put(push.id(), message);
        lock.notifyAll();
        announceTo = listener;
        executor = announcer;
      }
    }
    if (ackAgain) {
      link.ack(List.of(push.id()));
    }
    if (announceTo != null) {
      Consumer<List<Message>> target = announceTo;
      executor.execute(() -> target.accept(List.of(message)));
    }
  }

  private Message message(ServerFrame.Push push) {
    return push.toMessage(agent, Instant.now(), null);
  }

  @Override
  public Taken inbox() throws InterruptedException {
    link.failIfStopped();
    boolean empty;
    synchronized (lock) {
      empty = unread.isEmpty();
    }
    if (empty && !link.connected()) {
      // What it would return is on the server: wait for the reconnect and its pushes.
      link.awaitConnection(System.nanoTime() + CALL_TIMEOUT.toNanos(), null);
    }
    return take();
  }

  @Override
  public Taken await(Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    synchronized (lock) {
      while (unread.isEmpty()) {
        link.failIfStopped();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      if (unread.isEmpty() && link.downSince(start)) {
        throw link.unavailable("for the whole wait");
      }
    }
    return take();
  }

  private Taken take() {
    List<Message> batch;
    synchronized (lock) {
      batch = new ArrayList<>(unread.values());
      unread.clear();
      for (Message message : batch) {
        handed.add(message.id());
      }
    }
    if (batch.isEmpty()) {
      return Taken.of(List.of());
    }
    batch.sort(Comparator.comparingLong(Message::seq));
    Instant now = Instant.now();
    List<Message> read = new ArrayList<>(batch.size());
    List<String> ids = new ArrayList<>(batch.size());
    for (Message message : batch) {
      read.add(message.markedRead(now));
      ids.add(message.id());
    }
    return new Taken(List.copyOf(read), () -> ack(ids));
  }

  /** The client has these messages: ack them (or, if disconnected, when they are pushed again). */
  private void ack(List<String> ids) {
    synchronized (lock) {
      for (String id : ids) {
        delivered.add(id);
      }
    }
    link.ack(ids);
  }

  @Override
  public List<Message> unread() {
    synchronized (lock) {
      List<Message> messages = new ArrayList<>(unread.values());
      messages.sort(Comparator.comparingLong(Message::seq));
      return messages;
    }
  }

  /**
   * Sends through the server: to one agent, or to {@code @all} or a {@code @group}, which the
   * server fans out as a local send does; returns every copy stored.
   */
  @Override
  public Sent send(MessageDraft draft) throws InterruptedException {
    check(draft);
    String clientId = Ids.newId();
    ClientFrame.Send frame = ClientFrame.Send.of(clientId, draft);
    // Resent after a reconnect with the same client id: the server stores it once.
    ServerFrame.Stored stored =
        expect(link.request(clientId, frame, CALL_TIMEOUT), ServerFrame.Stored.class);
    List<Message> messages = stored.messages(agent, frame);
    String thread = messages.isEmpty() ? stored.id() : messages.get(0).thread();
    return new Sent(
        messages,
        stored.health() == null ? List.of() : stored.health(),
        Boolean.TRUE.equals(stored.threadHeld()) ? (thread == null ? stored.id() : thread) : null,
        0);
  }

  /** The checks a local send makes before storing, with the same codes. */
  private static void check(MessageDraft draft) {
    AgentNames.requireValid(draft.fansOut() ? draft.to().substring(1) : draft.to());
    requireId(draft.thread(), "thread id");
    requireId(draft.replyTo(), "reply-to id");
    if (draft.subject() != null && draft.subject().length() > MessageDraft.MAX_SUBJECT) {
      throw new InvalidMessageException(
          "invalid-subject", "the subject is over " + MessageDraft.MAX_SUBJECT + " characters");
    }
    if (draft.body() == null || draft.body().isEmpty()) {
      throw new InvalidMessageException("empty-message", "the message is empty");
    }
    int size = draft.body().getBytes(StandardCharsets.UTF_8).length;
    if (size > Options.MAX_MESSAGE_BYTES_LIMIT) {
      throw new MessageTooLargeException(size, Options.MAX_MESSAGE_BYTES_LIMIT);
    }
  }

  private static void requireId(String id, String what) {
    if (id != null && !AgentNames.isValid(id)) {
      throw new InvalidMessageException(
          "invalid-id", "invalid " + what + " '" + id + "': use 1-64 of A-Z a-z 0-9 . _ -");
    }
  }

  @Override
  public Optional<Message> message(String id) throws InterruptedException {
    for (Message copy : status(id)) {
      if (copy.id().equals(id)) {
        return Optional.of(copy);
      }
    }
    return Optional.empty();
  }

  @Override
  public List<Message> status(String id) throws InterruptedException {
    String ref = Ids.newId();
    try {
      return expect(
              link.request(ref, new ClientFrame.Status(ref, id), CALL_TIMEOUT),
              ServerFrame.Status.class)
          .messages();
    } catch (AgentMsgException e) {
      if (e.code().equals("unknown-message")) {
        return List.of();
      }
      throw e;
    }
  }

  @Override
  public List<Message> history(HistoryQuery query) throws InterruptedException {
    String ref = Ids.newId();
    ClientFrame.History frame =
        new ClientFrame.History(
            ref,
            query.peer(),
            query.thread(),
            Timestamps.format(query.since()),
            Timestamps.format(query.until()),
            query.text(),
            query.limit());
    try {
      return expect(link.request(ref, frame, CALL_TIMEOUT), ServerFrame.History.class).messages();
    } catch (AgentMsgException e) {
      if (e.code().equals("invalid-field")) {
        throw new AgentMsgException("usage", "history: " + e.getMessage());
      }
      throw e;
    }
  }

  @Override
  public List<Agent> agents() throws InterruptedException {
    String ref = Ids.newId();
    return expect(
            link.request(ref, new ClientFrame.ListAgents(ref), CALL_TIMEOUT),
            ServerFrame.Agents.class)
        .agents();
  }

  private static <T extends ServerFrame> T expect(ServerFrame frame, Class<T> type) {
    if (!type.isInstance(frame)) {
      throw new AgentMsgException(
          "bad-frame", "the server answered with " + frame + " instead of " + type.getSimpleName());
    }
    return type.cast(frame);
  }

  @Override
  public void announce(Consumer<List<Message>> listener, Consumer<String> warnings) {
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread announcing = new Thread(task, "agent-msg-mcp-announce");
              announcing.setDaemon(true);
              return announcing;
            });
    synchronized (lock) {
      // Messages pushed before this are not announced: the client may not be ready for them, and
      // the inbox tool shows them (as in the local mode).
      this.announcer = executor;
      this.listener = listener;
    }
  }

  /** Wakes waiting calls, closes the connection and stops the client; repeating it is harmless. */
  @Override
  public void close() {
    link.close();
    ExecutorService executor;
    synchronized (lock) {
      executor = announcer;
      lock.notifyAll();
    }
    if (executor != null) {
      executor.shutdown();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
