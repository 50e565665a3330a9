package agentmsg;

import agentmsg.internal.Ids;
import agentmsg.internal.RecentIds;
import agentmsg.internal.client.ServerLink;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameCodec;
import agentmsg.internal.wire.ServerFrame;
import agentmsg.json.Timestamps;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One agent's {@link Messenger} on an agent-msg server, over one kept-up connection (it reconnects
 * by itself); no local store is opened. A receiving messenger is the agent's receiving connection:
 * the server pushes the agent's messages, which are kept, in order and once each, until taken, and
 * acked only once the taker has {@linkplain Taken#handedOver() handed them over}: a message never
 * handed over is pushed again after a reconnect or a restart. A send-only messenger sends and reads
 * without taking the agent's pushes. Reads ({@code history}, {@code agents}, {@code status}) are
 * requests the server answers for this agent only. What the wire protocol does not carry (groups,
 * ack-required acks, registering a type) fails with {@code local-only}: run those where the data
 * home is. Thread-safe.
 */
public final class RemoteMessenger implements Messenger {
  /** How long a call waits for the server (to come back, or to answer) before it fails. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private static final int REMEMBERED = 10_000;

  /** The most a server answers to one history request. */
  private static final int THREAD_LIMIT = 500;

  private final String agent;
  private final boolean receiving;
  private final Object lock = new Object();
  private volatile ServerLink link;
  private volatile Consumer<Delivery> deliveries = delivery -> {};

  // Guarded by lock.
  private final Map<String, Message> unread = new LinkedHashMap<>();

  /** Ids given to the model in a tool result (acked once it reached the client). */
  private final RecentIds handed = new RecentIds(REMEMBERED);

  /** Ids whose tool result reached the client: acked, and acked again if pushed again. */
  private final RecentIds delivered = new RecentIds(REMEMBERED);

  private Consumer<List<Message>> listener;
  private ExecutorService announcer;

  /**
   * Where a server is and how to sign in to it.
   *
   * @param urls its {@code ws://} or {@code wss://} URL, or several servers sharing one database,
   *     tried in order (the messenger moves on to the next when one cannot be reached or dies)
   * @param headers the upgrade headers (the credential)
   * @param authHint what to say if the server answers 401
   * @param caPem certificates to trust for {@code wss://}, or null
   */
  public record Server(List<URI> urls, Map<String, String> headers, String authHint, Path caPem) {
    /** The server URL when neither {@code -u} nor {@code AGENT_MSG_URL} names one. */
    public static final String DEFAULT_URL = "ws://127.0.0.1:18790";

    public Server {
      urls = List.copyOf(urls);
      if (urls.isEmpty()) {
        throw new IllegalArgumentException("no server URL");
      }
      headers = Map.copyOf(headers);
    }

    /** One server. */
    public Server(URI url, Map<String, String> headers, String authHint, Path caPem) {
      this(List.of(url), headers, authHint, caPem);
    }

    /**
     * Checks a server URL: {@code ws://} or {@code wss://} with a host.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static URI parseUrl(String text) {
      URI uri;
      try {
        uri = new URI(text.trim());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("invalid server URL '" + text + "': " + e.getReason());
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("ws") && !scheme.equals("wss")) {
        throw new IllegalArgumentException(
            "server URL '" + text + "' must start with ws:// or wss://");
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("server URL '" + text + "' has no host");
      }
      return uri;
    }

    /**
     * Checks a {@code -u} value: one server URL, or several separated by commas.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static List<URI> parseUrls(String text) {
      List<URI> urls = new ArrayList<>();
      for (String part : text.split(",", -1)) {
        if (part.isBlank()) {
          throw new IllegalArgumentException(
              "server URLs '" + text + "' hold an empty one: separate them with single commas");
        }
        urls.add(parseUrl(part));
      }
      return urls;
    }

    /**
     * Parses a {@code --header "name: value"} argument.
     *
     * @throws IllegalArgumentException if it has no name or no colon
     */
    public static Map.Entry<String, String> parseHeader(String text) {
      int colon = text.indexOf(':');
      if (colon <= 0 || text.substring(0, colon).isBlank()) {
        // Never echo the text: it may well be a credential with a typo.
        throw new IllegalArgumentException("--header takes \"name: value\" (a colon was missing)");
      }
      return Map.entry(text.substring(0, colon).trim(), text.substring(colon + 1).trim());
    }
  }

  /** What a messenger tells its owner about its connection. Called on the connection's thread. */
  @FunctionalInterface
  public interface Events {
    /** Worth telling a person: a lost connection, a reconnect, an error the server reported. */
    void warning(String text);

    /**
     * The server welcomed a connection.
     *
     * @param server the URL of the server (without its query, which may hold a token)
     * @param again whether it is a reconnect
     * @param original whether the server is an original agent-msg server, which stores nothing
     */
    default void welcomed(String server, boolean again, boolean original) {}
  }

  /**
   * A message this agent sent, acknowledged by its recipient's connection.
   *
   * @param id the stored message's id (a fan-out's copy's)
   * @param clientId the id the sender gave it, when the server names it
   * @param to the recipient
   */
  public record Delivery(String id, String clientId, String to, String jsonLine) {}

  /**
   * The server's confirmation of a send.
   *
   * @param id the stored message's id (a fan-out's, which its copies' ids derive from)
   * @param sent every copy stored (one, unless the send fanned out), with its recipients' health
   *     and whether the loop guard now holds the thread
   * @param fannedOut whether the send went to {@code @all} or a {@code @group}
   * @param delivered whether it is delivered already: an original agent-msg server stores nothing
   *     and confirms a send by delivering it
   * @param jsonLine the confirmation as the server sent it, one line of JSON
   */
  public record Confirmation(
      String id, Sent sent, boolean fannedOut, boolean delivered, String jsonLine) {
    /** Every copy stored. */
    public List<Message> copies() {
      return sent.messages();
    }
  }

  /**
   * The server's answer to a ping.
   *
   * @param agent the agent pinged, or null from an original agent-msg server, which answers a ping
   *     but cannot tell
   * @param online whether the agent has a live receiving connection, or null when unknown
   * @param timestamp the server's clock when it answered, in epoch milliseconds
   */
  public record Presence(String agent, Boolean online, long timestamp) {
    /** Whether the server could tell (an original server cannot). */
    public boolean known() {
      return agent != null || online != null;
    }

    /** The answer as the server sent it, one line of JSON. */
    public String toJsonLine() {
      return FrameCodec.write(new ServerFrame.Pong(agent, online, timestamp));
    }
  }

  private RemoteMessenger(String agent, boolean receiving) {
    this.agent = AgentNames.requireValid(agent);
    this.receiving = receiving;
  }

  /**
   * Connects to {@code server} as {@code agent}'s receiving connection and returns once the server
   * welcomed it.
   *
   * @param takeover whether to replace the agent's existing receiving connection
   * @param events hears of welcomes, lost connections, reconnects and errors the server reports
   * @throws AgentMsgException with the code of the failure ({@code server-unavailable}, {@code
   *     unauthorized}, {@code already-connected}, ...) if the first connection fails
   */
  public static RemoteMessenger receive(
      Server server, String agent, boolean takeover, Events events) throws InterruptedException {
    return open(server, agent, true, takeover, ServerLink.CONNECT_TIMEOUT, events);
  }

  /**
   * Connects to {@code server} as a send-only connection of {@code agent}: it sends, reads and
   * pings, and hears of its messages' deliveries, but takes no pushes.
   *
   * @param connectTimeout how long one connection attempt may take (twice that the first welcome)
   * @throws AgentMsgException with the code of the failure if the first connection fails
   */
  public static RemoteMessenger sendOnly(
      Server server, String agent, Duration connectTimeout, Events events)
      throws InterruptedException {
    return open(server, agent, false, false, connectTimeout, events);
  }

  private static RemoteMessenger open(
      Server server,
      String agent,
      boolean receiving,
      boolean takeover,
      Duration connectTimeout,
      Events events)
      throws InterruptedException {
    RemoteMessenger messenger = new RemoteMessenger(agent, receiving);
    messenger.link =
        ServerLink.open(
            new ServerLink.Settings(
                server.urls(),
                server.headers(),
                server.authHint(),
                server.caPem(),
                agent,
                receiving,
                takeover,
                connectTimeout),
            events::warning,
            new ServerLink.Handler() {
              @Override
              public void welcomed(String where, boolean again, boolean original) {
                events.welcomed(where, again, original);
              }

              @Override
              public void pushed(ServerFrame.Push push) {
                messenger.received(push);
              }

              @Override
              public void delivered(ServerFrame.Delivered delivered) {
                messenger.deliveries.accept(
                    new Delivery(
                        delivered.id(),
                        delivered.clientId(),
                        delivered.to(),
                        FrameCodec.write(delivered)));
              }

              @Override
              public void changed() {
                synchronized (messenger.lock) {
                  messenger.lock.notifyAll();
                }
              }
            });
    return messenger;
  }

  @Override
  public String agent() {
    return agent;
  }

  /** Whether the connection is up now. */
  public boolean connected() {
    return link.connected();
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

  /**
   * Hears of this agent's messages delivered from now on (on the connection's thread: return
   * quickly). Replaces the listener set before.
   */
  public void onDelivery(Consumer<Delivery> listener) {
    this.deliveries = listener;
  }

  private Message message(ServerFrame.Push push) {
    return push.toMessage(agent, Instant.now(), null);
  }

  /**
   * Takes the messages pushed and not yet taken, waiting for the server to come back first if the
   * connection is down and none are kept. Run {@link Taken#handedOver()} once they were shown: that
   * acks them.
   */
  @Override
  public Taken take() {
    requireReceiving("take");
    link.failIfStopped();
    boolean empty;
    synchronized (lock) {
      empty = unread.isEmpty();
    }
    if (empty && !link.connected()) {
      // What it would return is on the server: wait for the reconnect and its pushes.
      uninterrupted(
          () -> {
            link.awaitConnection(System.nanoTime() + CALL_TIMEOUT.toNanos());
            return null;
          });
    }
    return takeKept();
  }

  @Override
  public Taken await(Duration timeout) throws InterruptedException {
    requireReceiving("await");
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
    return takeKept();
  }

  private Taken takeKept() {
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

  /** The messages pushed and not yet taken, oldest first, left for a later take. */
  @Override
  public List<Message> unread() {
    requireReceiving("unread");
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
  public List<Message> send(MessageDraft draft) {
    return send(draft, Ids.newId(), CALL_TIMEOUT);
  }

  /**
   * Sends through the server; what it stored, with each recipient's health as the server saw it.
   */
  @Override
  public Sent submit(MessageDraft draft) {
    return sendConfirmed(draft, Ids.newId(), CALL_TIMEOUT).sent();
  }

  /**
   * Sends {@code draft} under {@code clientId}, waiting up to {@code timeout} for the server to
   * store it. Resent after a reconnect with the same client id, the server stores it once; so does
   * a call repeated with the same client id.
   *
   * @return every copy stored
   * @throws AgentMsgException {@code server-unavailable} if the server did not confirm in time: the
   *     message may or may not be stored
   */
  public List<Message> send(MessageDraft draft, String clientId, Duration timeout) {
    return sendConfirmed(draft, clientId, timeout).copies();
  }

  /**
   * As {@link #send(MessageDraft, String, Duration)}, with the server's confirmation as it came.
   */
  public Confirmation sendConfirmed(MessageDraft draft, String clientId, Duration timeout) {
    check(draft);
    ClientFrame.Send frame = ClientFrame.Send.of(clientId, draft);
    ServerFrame answer = uninterrupted(() -> link.request(clientId, frame, timeout));
    if (answer instanceof ServerFrame.Delivered delivered) {
      ServerFrame.Stored stored =
          new ServerFrame.Stored(
              clientId, clientId, 0, delivered.to(), Timestamps.format(Instant.now()), null, null);
      return new Confirmation(
          stored.id(),
          Sent.of(stored.messages(agent, frame)),
          false,
          true,
          FrameCodec.write(delivered));
    }
    ServerFrame.Stored stored = expect(answer, ServerFrame.Stored.class);
    List<Message> messages = stored.messages(agent, frame);
    String thread = messages.isEmpty() ? null : messages.get(0).thread();
    Sent sent =
        new Sent(
            messages,
            stored.health() == null ? List.of() : stored.health(),
            Boolean.TRUE.equals(stored.threadHeld())
                ? (thread == null ? stored.id() : thread)
                : null,
            0);
    return new Confirmation(stored.id(), sent, stored.fannedOut(), false, FrameCodec.write(stored));
  }

  /**
   * The checks a send makes before anything is sent, with the codes a local send gives.
   *
   * @throws AgentMsgException {@code invalid-name}, {@code invalid-id}, {@code empty-message},
   *     {@code message-too-large}, ...
   */
  public static void check(MessageDraft draft) {
    Conversations.check(draft, Options.MAX_MESSAGE_BYTES_LIMIT);
  }

  /**
   * Asks the server whether {@code other} has a live receiving connection.
   *
   * @throws AgentMsgException {@code server-unavailable} if no answer came within {@code timeout}
   */
  public Presence ping(String other, Duration timeout) throws InterruptedException {
    ServerFrame.Pong pong = link.ping(AgentNames.requireValid(other), timeout);
    return new Presence(pong.agent(), pong.online(), pong.timestamp());
  }

  @Override
  public Optional<Message> message(String id) {
    for (Message copy : status(id)) {
      if (copy.id().equals(id)) {
        return Optional.of(copy);
      }
    }
    return Optional.empty();
  }

  @Override
  public List<Message> status(String id) {
    String ref = Ids.newId();
    try {
      return expect(
              uninterrupted(() -> link.request(ref, new ClientFrame.Status(ref, id), CALL_TIMEOUT)),
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
  public List<Message> history(HistoryQuery query) {
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
      return expect(
              uninterrupted(() -> link.request(ref, frame, CALL_TIMEOUT)),
              ServerFrame.History.class)
          .messages();
    } catch (AgentMsgException e) {
      if (e.code().equals("invalid-field")) {
        throw new AgentMsgException("usage", "history: " + e.getMessage());
      }
      throw e;
    }
  }

  @Override
  public List<Agent> agents() {
    String ref = Ids.newId();
    return expect(
            uninterrupted(() -> link.request(ref, new ClientFrame.ListAgents(ref), CALL_TIMEOUT)),
            ServerFrame.Agents.class)
        .agents();
  }

  /** The newest 500 messages of thread {@code id} this agent sent or received, oldest first. */
  @Override
  public List<Message> thread(String id) {
    AgentNames.requireValid(id);
    return history(HistoryQuery.newest(THREAD_LIMIT).withThread(id));
  }

  /** Registering happens on connecting; an agent's type is set where the data home is. */
  @Override
  public Agent register(AgentType type) {
    throw localOnly("register");
  }

  @Override
  public List<Message> ack(Collection<String> ids) {
    throw localOnly("ack");
  }

  @Override
  public List<Message> pendingAcks() {
    throw localOnly("acks");
  }

  @Override
  public Map<String, List<String>> groups() {
    throw localOnly("group list");
  }

  @Override
  public void createGroup(String name, Collection<String> members) {
    throw localOnly("group create");
  }

  @Override
  public int addToGroup(String name, Collection<String> members) {
    throw localOnly("group add");
  }

  @Override
  public int removeFromGroup(String name, Collection<String> members) {
    throw localOnly("group remove");
  }

  @Override
  public void deleteGroup(String name) {
    throw localOnly("group delete");
  }

  private static AgentMsgException localOnly(String what) {
    return new AgentMsgException(
        "local-only",
        what
            + " is not carried by the server's protocol: run it on the server's machine, against"
            + " its data home");
  }

  private void requireReceiving(String what) {
    if (!receiving) {
      throw new AgentMsgException(
          "internal", what + " needs a receiving connection; this one is send-only");
    }
  }

  /** A blocking call whose interruption ends it with {@code interrupted}, the flag kept. */
  private interface Call<T> {
    T run() throws InterruptedException;
  }

  private static <T> T uninterrupted(Call<T> call) {
    try {
      return call.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentMsgException("interrupted", "interrupted while waiting for the server", e);
    }
  }

  private static <T extends ServerFrame> T expect(ServerFrame frame, Class<T> type) {
    if (!type.isInstance(frame)) {
      throw new AgentMsgException(
          "bad-frame", "the server answered with " + frame + " instead of " + type.getSimpleName());
    }
    return type.cast(frame);
  }

  @Override
  public AutoCloseable announce(Consumer<List<Message>> listener, Consumer<String> warnings) {
    requireReceiving("announce");
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
    return () -> {
      synchronized (lock) {
        if (this.listener == listener) {
          this.listener = null;
        }
      }
    };
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
