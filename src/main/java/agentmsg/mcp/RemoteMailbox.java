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
import agentmsg.Priority;
import agentmsg.internal.Ids;
import agentmsg.internal.client.WireClient;
import agentmsg.internal.client.WireConnection;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The mailbox of one agent on an agent-msg server, over one receiving WebSocket connection (a
 * daemon thread {@code agent-msg-mcp-remote} reads it, and reconnects with backoff when it drops).
 * No local store is opened. The server pushes the agent's messages; they are kept, in order and
 * once each, until a tool takes them, and acked only once the tool result holding them has reached
 * the client: a message the model was not given is pushed again after a reconnect or a restart.
 * Reads ({@code history}, {@code list_agents}, {@code message_status}) are requests answered by the
 * server for this agent only. Thread-safe.
 */
public final class RemoteMailbox implements Mailbox {
  /** How long a call waits for the server (to come back, or to answer) before it fails. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration SLICE = Duration.ofMillis(500);
  private static final long FIRST_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;
  private static final int REMEMBERED = 10_000;

  /** Upgrade refusals: retrying cannot help. */
  private static final Set<String> REFUSALS = Set.of("unauthorized", "forbidden", "tls-failed");

  /** Errors that end the connection for good: another receiver, or a credential gone bad. */
  private static final Set<String> FATAL =
      Set.of("already-connected", "taken-over", "auth-agent-mismatch", "token-revoked");

  private final WireClient client;
  private final URI url;
  private final String where;
  private final Map<String, String> headers;
  private final String authHint;
  private final String agent;
  private final String instance = Ids.newId();
  private final Consumer<String> warnings;
  private final Thread thread;
  private final Map<String, CompletableFuture<ServerFrame>> requests = new ConcurrentHashMap<>();

  private final Object lock = new Object();

  // Guarded by lock.
  private WireConnection current;
  private long disconnectedSince = System.nanoTime();
  private boolean everWelcomed;
  private AgentMsgException fatal;
  private AgentMsgException lastFailure;
  private boolean closed;
  private Consumer<List<Message>> listener;
  private ExecutorService announcer;
  private final Map<String, Message> unread = new LinkedHashMap<>();

  /** Ids given to the model in a tool result (acked once it reached the client). */
  private final Bounded handed = new Bounded(REMEMBERED);

  /** Ids whose tool result reached the client: acked, and acked again if pushed again. */
  private final Bounded delivered = new Bounded(REMEMBERED);

  private RemoteMailbox(
      WireClient client,
      URI url,
      Map<String, String> headers,
      String authHint,
      String agent,
      Consumer<String> warnings) {
    this.client = client;
    this.url = url;
    String text = url.toString();
    this.where = text.contains("?") ? text.substring(0, text.indexOf('?')) + "?..." : text;
    this.headers = Map.copyOf(headers);
    this.authHint = authHint;
    this.agent = AgentNames.requireValid(agent);
    this.warnings = warnings;
    this.thread = new Thread(this::loop, "agent-msg-mcp-remote");
    thread.setDaemon(true);
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
    WireClient client = WireClient.start(caPem);
    RemoteMailbox mailbox;
    try {
      mailbox = new RemoteMailbox(client, url, headers, authHint, agent, warnings);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    try {
      mailbox.awaitFirstWelcome();
    } catch (InterruptedException | RuntimeException e) {
      mailbox.close();
      throw e;
    }
    return mailbox;
  }

  private void awaitFirstWelcome() throws InterruptedException {
    thread.start();
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.multipliedBy(2).toNanos();
    synchronized (lock) {
      while (!everWelcomed && fatal == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AgentMsgException(
              "server-unavailable", "no welcome from " + where + " (is it an agent-msg server?)");
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      if (fatal != null) {
        throw fatal;
      }
    }
  }

  @Override
  public String agent() {
    return agent;
  }

  /** The URL of the server, without any query (it may hold a token). */
  public String server() {
    return where;
  }

  // ---- the connection ----

  private void loop() {
    long backoff = FIRST_BACKOFF_MILLIS;
    while (!isClosed()) {
      WireConnection connection;
      try {
        connection = client.connect(url, headers, CONNECT_TIMEOUT, authHint);
      } catch (AgentMsgException e) {
        if (!welcomedOnce() || REFUSALS.contains(e.code())) {
          fail(e); // a refused credential or a wrong URL does not get better by retrying
          return;
        }
        synchronized (lock) {
          lastFailure = e;
        }
        if (!pause(backoff)) {
          return;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        continue;
      } catch (InterruptedException e) {
        return;
      }
      boolean welcomed;
      try (connection) {
        welcomed = converse(connection);
      } catch (InterruptedException e) {
        return;
      } finally {
        disconnected(connection);
      }
      if (welcomed) {
        backoff = FIRST_BACKOFF_MILLIS;
      }
      if (isClosed() || failed()) {
        return;
      }
      warnings.accept(
          "the connection to " + where + " was lost; reconnecting in " + backoff + " ms");
      if (!pause(backoff)) {
        return;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
  }

  /** Reads one connection until it closes; returns whether the server welcomed it. */
  private boolean converse(WireConnection connection) throws InterruptedException {
    connection.send(new ClientFrame.Hello(agent, ClientFrame.Role.RECEIVE, false, instance, false));
    boolean welcomed = false;
    while (true) {
      WireConnection.Event event = connection.next(SLICE);
      if (event == null) {
        if (isClosed()) {
          return welcomed;
        }
        continue;
      }
      if (event instanceof WireConnection.Closed) {
        return welcomed;
      }
      ServerFrame frame = ((WireConnection.Frame) event).frame();
      if (frame instanceof ServerFrame.Welcome) {
        welcomed = true;
        connected(connection);
      } else if (frame instanceof ServerFrame.Push push) {
        received(connection, push);
      } else if (frame instanceof ServerFrame.Stored stored) {
        answer(stored.clientId(), stored);
      } else if (frame instanceof ServerFrame.History history) {
        answer(history.ref(), history);
      } else if (frame instanceof ServerFrame.Status status) {
        answer(status.ref(), status);
      } else if (frame instanceof ServerFrame.Agents agents) {
        answer(agents.ref(), agents);
      } else if (frame instanceof ServerFrame.Error error) {
        CompletableFuture<ServerFrame> waiting =
            error.ref() == null ? null : requests.remove(error.ref());
        if (waiting != null) {
          waiting.completeExceptionally(new AgentMsgException(error.code(), error.message()));
        } else if (FATAL.contains(error.code())) {
          fail(new AgentMsgException(error.code(), error.message()));
          return welcomed;
        } else {
          warnings.accept("the server said: error[" + error.code() + "]: " + error.message());
        }
      }
    }
  }

  private void answer(String ref, ServerFrame frame) {
    CompletableFuture<ServerFrame> waiting = ref == null ? null : requests.remove(ref);
    if (waiting != null) {
      waiting.complete(frame);
    }
  }

  private void connected(WireConnection connection) {
    boolean again;
    synchronized (lock) {
      again = everWelcomed;
      everWelcomed = true;
      current = connection;
      lastFailure = null;
      lock.notifyAll();
    }
    if (again) {
      warnings.accept("reconnected to " + where + " as " + agent);
    }
  }

  private void disconnected(WireConnection connection) {
    synchronized (lock) {
      if (current == connection) {
        current = null;
        disconnectedSince = System.nanoTime();
      }
      lock.notifyAll();
    }
  }

  private void fail(AgentMsgException failure) {
    synchronized (lock) {
      fatal = failure;
      lock.notifyAll();
    }
    if (welcomedOnce()) {
      warnings.accept(
          "stopped talking to "
              + where
              + ": error["
              + failure.code()
              + "]: "
              + failure.getMessage());
    }
  }

  /** Keeps a pushed message until a tool takes it; acks again one the client already has. */
  private void received(WireConnection connection, ServerFrame.Push push) {
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
      sendQuietly(connection, List.of(push.id()));
    }
    if (announceTo != null) {
      Consumer<List<Message>> target = announceTo;
      executor.execute(() -> target.accept(List.of(message)));
    }
  }

  private Message message(ServerFrame.Push push) {
    Instant now = Instant.now();
    Instant timestamp = now;
    if (push.timestamp() != null) {
      try {
        timestamp = Timestamps.parse(push.timestamp());
      } catch (IllegalArgumentException e) {
        timestamp = now;
      }
    }
    Priority priority = Priority.NORMAL;
    if (push.priority() != null) {
      try {
        priority = Priority.parse(push.priority());
      } catch (IllegalArgumentException e) {
        priority = Priority.NORMAL; // a newer server's priority: shown as normal
      }
    }
    return new Message(
        push.id(),
        push.seq(),
        push.from(),
        push.to() == null ? agent : push.to(),
        push.message(),
        timestamp,
        null,
        null,
        null,
        push.thread(),
        push.replyTo(),
        push.subject(),
        priority,
        push.ackRequired(),
        null);
  }

  // ---- the tools ----

  @Override
  public Taken inbox() throws InterruptedException {
    synchronized (lock) {
      failIfStopped();
      if (unread.isEmpty() && current == null) {
        // What it would return is on the server: wait for the reconnect and its pushes.
        awaitConnection(System.nanoTime() + CALL_TIMEOUT.toNanos(), null);
      }
    }
    return take();
  }

  @Override
  public Taken await(Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    synchronized (lock) {
      while (unread.isEmpty()) {
        failIfStopped();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      if (unread.isEmpty() && current == null && disconnectedSince - start <= 0) {
        throw unavailable("for the whole wait");
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
    WireConnection connection;
    synchronized (lock) {
      for (String id : ids) {
        delivered.add(id);
      }
      connection = current;
    }
    if (connection != null) {
      sendQuietly(connection, ids);
    }
  }

  private static void sendQuietly(WireConnection connection, List<String> ids) {
    try {
      for (String id : ids) {
        connection.send(new ClientFrame.Ack(id, null));
      }
    } catch (AgentMsgException lost) {
      // Not acked: the server pushes them again after the reconnect, and they are acked then.
    }
  }

  @Override
  public List<Message> unread() {
    synchronized (lock) {
      List<Message> messages = new ArrayList<>(unread.values());
      messages.sort(Comparator.comparingLong(Message::seq));
      return messages;
    }
  }

  @Override
  public List<Message> send(MessageDraft draft) throws InterruptedException {
    if (draft.fansOut()) {
      throw new AgentMsgException(
          "unsupported-remote",
          "sending to "
              + draft.to()
              + " is not available through a server (-u) yet; send to each agent (see"
              + " list_agents)");
    }
    AgentNames.requireValid(draft.to());
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
    String clientId = Ids.newId();
    ClientFrame.Send frame =
        new ClientFrame.Send(
            clientId,
            null,
            draft.to(),
            draft.body(),
            draft.thread(),
            draft.replyTo(),
            false,
            draft.priority() == Priority.NORMAL ? null : draft.priority().id(),
            draft.subject());
    // Resent after a reconnect with the same client id: the server stores it once.
    ServerFrame.Stored stored = expect(request(clientId, frame), ServerFrame.Stored.class);
    return List.of(
        new Message(
            stored.id(),
            stored.seq(),
            agent,
            stored.to() == null ? draft.to() : stored.to(),
            draft.body(),
            stored.timestamp() == null ? Instant.now() : Timestamps.parse(stored.timestamp()),
            null,
            null,
            null,
            draft.thread(),
            draft.replyTo(),
            draft.subject(),
            draft.priority(),
            false,
            null));
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
      return expect(request(ref, new ClientFrame.Status(ref, id)), ServerFrame.Status.class)
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
      return expect(request(ref, frame), ServerFrame.History.class).messages();
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
    return expect(request(ref, new ClientFrame.ListAgents(ref)), ServerFrame.Agents.class).agents();
  }

  /**
   * Sends a request and waits for the answer whose ref (or client id) is {@code ref}; sends it
   * again on the next connection if the connection drops first.
   *
   * @throws AgentMsgException the server's error, or {@code server-unavailable} if no answer came
   *     within {@link #CALL_TIMEOUT}
   */
  private ServerFrame request(String ref, ClientFrame frame) throws InterruptedException {
    long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
    WireConnection dead = null;
    while (true) {
      WireConnection connection;
      synchronized (lock) {
        failIfStopped();
        connection = awaitConnection(deadline, dead);
      }
      CompletableFuture<ServerFrame> answer = new CompletableFuture<>();
      requests.put(ref, answer);
      try {
        try {
          connection.send(frame);
        } catch (AgentMsgException lost) {
          dead = connection;
          continue;
        }
        while (true) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw unavailable("without an answer");
          }
          try {
            return answer.get(Math.min(left, SLICE.toNanos()), TimeUnit.NANOSECONDS);
          } catch (TimeoutException slice) {
            if (!connection.isOpen() || connection != currentConnection()) {
              dead = connection;
              break; // asked on a connection that is gone: ask again on the next
            }
          } catch (ExecutionException e) {
            if (e.getCause() instanceof AgentMsgException failure) {
              throw new AgentMsgException(failure.code(), failure.getMessage(), failure);
            }
            throw new AgentMsgException("internal", "the request failed: " + e.getCause(), e);
          }
        }
      } finally {
        requests.remove(ref, answer);
      }
    }
  }

  private static <T extends ServerFrame> T expect(ServerFrame frame, Class<T> type) {
    if (!type.isInstance(frame)) {
      throw new AgentMsgException(
          "bad-frame", "the server answered with " + frame + " instead of " + type.getSimpleName());
    }
    return type.cast(frame);
  }

  /** A welcomed open connection other than {@code dead}; call holding the lock. */
  private WireConnection awaitConnection(long deadline, WireConnection dead)
      throws InterruptedException {
    while (current == null || current == dead || !current.isOpen()) {
      failIfStopped();
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw unavailable("for " + CALL_TIMEOUT.toSeconds() + " s");
      }
      TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, SLICE.toNanos()));
    }
    return current;
  }

  private WireConnection currentConnection() {
    synchronized (lock) {
      return current;
    }
  }

  /** Call holding the lock. */
  private void failIfStopped() {
    if (closed) {
      throw new AgentMsgException("interrupted", "the MCP server is shutting down");
    }
    if (fatal != null) {
      throw new AgentMsgException(fatal.code(), fatal.getMessage(), fatal);
    }
  }

  private AgentMsgException unavailable(String how) {
    AgentMsgException last;
    synchronized (lock) {
      last = lastFailure;
    }
    return new AgentMsgException(
        "server-unavailable",
        "the server "
            + where
            + " was unreachable "
            + how
            + (last == null ? "" : " (" + last.getMessage() + ")")
            + "; still reconnecting, try again");
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private boolean failed() {
    synchronized (lock) {
      return fatal != null;
    }
  }

  private boolean welcomedOnce() {
    synchronized (lock) {
      return everWelcomed;
    }
  }

  /** Waits {@code millis} unless closed first; false if closed. */
  private boolean pause(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (lock) {
      try {
        while (!closed) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return true;
          }
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
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
    WireConnection connection;
    ExecutorService executor;
    synchronized (lock) {
      closed = true;
      connection = current;
      executor = announcer;
      lock.notifyAll();
    }
    if (connection != null) {
      connection.close();
    }
    if (Thread.currentThread() != thread && thread.isAlive()) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (executor != null) {
      executor.shutdown();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    client.close();
  }

  /** The last {@code capacity} ids added, oldest dropped first. Not thread-safe. */
  private static final class Bounded {
    private final int capacity;
    private final LinkedHashSet<String> ids = new LinkedHashSet<>();

    Bounded(int capacity) {
      this.capacity = capacity;
    }

    void add(String id) {
      if (ids.add(id) && ids.size() > capacity) {
        ids.remove(ids.iterator().next());
      }
    }

    boolean contains(String id) {
      return ids.contains(id);
    }
  }
}
