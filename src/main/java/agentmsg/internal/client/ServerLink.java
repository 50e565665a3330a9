package agentmsg.internal.client;

import agentmsg.AgentMsgException;
import agentmsg.internal.Ids;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.ServerFrame;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One agent's connection to an agent-msg server, kept up: a daemon thread ({@code
 * agent-msg-remote}) connects, says hello (a receiving connection with an instance id of its own,
 * so that its reconnect replaces its dead connection, or a send-only one), reads frames, and
 * reconnects with backoff (100 ms up to 5 s) when the connection drops. Pushes and deliveries go to
 * a handler; requests are matched to their answers by ref (or client id, or the pinged agent) and
 * sent again on the next connection if one drops first. The one client of the wire protocol: {@code
 * connect}, {@code send -w}, {@code ping} and {@code mcp -u} all talk through it. Thread-safe.
 */
public final class ServerLink implements AutoCloseable {
  /** How long one connection attempt may take, unless the settings say less. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration SLICE = Duration.ofMillis(500);

  /** Errors that end the link for good: another receiver, or a credential gone bad. */
  private static final Set<String> FATAL =
      Set.of("already-connected", "taken-over", "auth-agent-mismatch", "token-revoked");

  /** The key under which a ping waits for its pong: pongs carry no ref. */
  private static final String PONG = "\u0000pong:";

  /**
   * Where to connect and as whom.
   *
   * @param urls the servers' {@code ws://} or {@code wss://} URLs, tried in order: the link moves
   *     on to the next when one cannot be reached or its connection dies
   * @param headers the upgrade headers (the credential)
   * @param authHint what to say if the server answers 401
   * @param caPem certificates to trust for {@code wss://}, or null
   * @param agent who connects
   * @param receiving a receiving connection (pushes come to it), or a send-only one
   * @param takeover whether a receiving connection replaces the agent's existing one
   * @param connectTimeout how long one connection attempt may take, and twice that the first
   *     welcome
   */
  public record Settings(
      List<URI> urls,
      Map<String, String> headers,
      String authHint,
      Path caPem,
      String agent,
      boolean receiving,
      boolean takeover,
      Duration connectTimeout) {
    public Settings {
      urls = List.copyOf(urls);
      if (urls.isEmpty()) {
        throw new IllegalArgumentException("no server URL");
      }
      headers = Map.copyOf(headers);
    }

    public Settings(
        List<URI> urls,
        Map<String, String> headers,
        String authHint,
        Path caPem,
        String agent,
        boolean receiving,
        boolean takeover) {
      this(urls, headers, authHint, caPem, agent, receiving, takeover, CONNECT_TIMEOUT);
    }
  }

  /** What the link tells its owner. Called on the link's thread: return quickly. */
  public interface Handler {
    /** A message the server pushed (again, after a reconnect, if it was not acked). */
    default void pushed(ServerFrame.Push push) {}

    /** A message this agent sent was delivered (acked by its recipient). */
    default void delivered(ServerFrame.Delivered delivered) {}

    /**
     * The server at {@code server} (its URL without the query) welcomed a connection; {@code
     * original} if it is an original server.
     */
    default void welcomed(String server, boolean again, boolean original) {}

    /** The link connected, lost its connection, failed for good or closed. */
    default void changed() {}
  }

  private final WireClient client;
  private final Settings settings;

  /** The index in the settings' URLs of the server to try next. Guarded by lock. */
  private int next;

  /** The server talked to now, or last (its URL without the query, which may hold a token). */
  private volatile String where;

  private final String instance = Ids.newId();
  private final Consumer<String> warnings;
  private final Handler handler;
  private final Thread thread;
  private final Map<String, CompletableFuture<ServerFrame>> requests = new ConcurrentHashMap<>();

  private final Object lock = new Object();

  // Guarded by lock.
  private WireConnection current;

  /**
   * The connection being read, from its hello on: acks go there. A server may push before its
   * welcome (earlier versions of ours did), and a push is acked on the connection that carried it:
   * while that connection lives, no other brings the message again.
   */
  private WireConnection reading;

  private long disconnectedSince = System.nanoTime();
  private boolean everWelcomed;
  private AgentMsgException fatal;
  private AgentMsgException lastFailure;
  private boolean closed;

  private ServerLink(
      WireClient client, Settings settings, Consumer<String> warnings, Handler handler) {
    this.client = client;
    this.settings = settings;
    this.where = shown(settings.urls().get(0));
    this.warnings = warnings;
    this.handler = handler;
    this.thread = new Thread(this::loop, "agent-msg-remote");
    thread.setDaemon(true);
  }

  /**
   * Connects and returns once the server welcomed the connection.
   *
   * @param warnings hears of lost connections, reconnects and errors the server reports
   * @throws AgentMsgException with the code of the failure if the first connection fails
   */
  public static ServerLink open(Settings settings, Consumer<String> warnings, Handler handler)
      throws InterruptedException {
    WireClient client = WireClient.start(settings.caPem());
    ServerLink link = new ServerLink(client, settings, warnings, handler);
    try {
      link.awaitFirstWelcome();
    } catch (InterruptedException | RuntimeException e) {
      link.close();
      throw e;
    }
    return link;
  }

  private void awaitFirstWelcome() throws InterruptedException {
    thread.start();
    long deadline = System.nanoTime() + settings.connectTimeout().multipliedBy(2).toNanos();
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

  /** The server's URL without its query (which may hold a token). */
  public String where() {
    return where;
  }

  private static String shown(URI url) {
    String text = url.toString();
    return text.contains("?") ? text.substring(0, text.indexOf('?')) + "?..." : text;
  }

  /**
   * Connects to the next server that answers, starting with the one after the last that died.
   *
   * @throws AgentMsgException the last server's failure, or at once a refusal (a credential the
   *     cluster does not accept fails on every server alike)
   */
  private WireConnection connectNext() throws InterruptedException {
    List<URI> urls = settings.urls();
    int first;
    synchronized (lock) {
      first = next;
    }
    AgentMsgException failure = null;
    for (int i = 0; i < urls.size(); i++) {
      int index = (first + i) % urls.size();
      URI url = urls.get(index);
      try {
        WireConnection connection =
            client.connect(url, settings.headers(), settings.connectTimeout(), settings.authHint());
        synchronized (lock) {
          next = index;
        }
        where = shown(url);
        return connection;
      } catch (AgentMsgException e) {
        if (Reconnecting.REFUSALS.contains(e.code())) {
          throw e;
        }
        failure = e;
      }
    }
    throw failure;
  }

  private void loop() {
    try {
      Reconnecting.run(
          new Reconnecting.Client() {
            @Override
            public WireConnection connect() throws InterruptedException {
              return connectNext();
            }

            @Override
            public Reconnecting.Round converse(WireConnection connection)
                throws InterruptedException {
              boolean welcomed = ServerLink.this.converse(connection);
              return new Reconnecting.Round(welcomed, isClosed() || failed());
            }

            @Override
            public boolean stopped() {
              return isClosed();
            }

            @Override
            public boolean pause(long millis) {
              return ServerLink.this.pause(millis);
            }

            @Override
            public void unreachable(AgentMsgException cause, long retryMillis) {
              synchronized (lock) {
                lastFailure = cause;
              }
            }

            @Override
            public void lost(long retryMillis) {
              warnings.accept(
                  "the connection to "
                      + where
                      + " was lost; reconnecting in "
                      + retryMillis
                      + " ms");
            }

            @Override
            public void disconnected(WireConnection connection) {
              ServerLink.this.disconnected(connection);
            }
          });
    } catch (AgentMsgException e) {
      fail(e); // a refused credential or a wrong URL does not get better by retrying
    } catch (RuntimeException e) {
      // A bug here or in a handler: end the link with a clear failure rather than hang its callers.
      fail(new AgentMsgException("internal", "the connection to " + where + " failed: " + e, e));
    } catch (InterruptedException e) {
      // Closed while connecting or waiting: nothing more to do.
    }
  }

  /** Reads one connection until it closes; returns whether the server welcomed it. */
  private boolean converse(WireConnection connection) throws InterruptedException {
    connection.hello(
        new ClientFrame.Hello(
            settings.agent(),
            settings.receiving() ? ClientFrame.Role.RECEIVE : ClientFrame.Role.SEND_ONLY,
            settings.takeover(),
            settings.receiving() ? instance : null,
            false),
        WireConnection.ORIGINAL_DETECT);
    synchronized (lock) {
      reading = connection;
    }
    boolean welcomed = false;
    while (true) {
      WireConnection.Event event = connection.next(SLICE);
      if (event == null) {
        if (isClosed()) {
          return welcomed;
        }
        continue;
      }
      if (event instanceof WireConnection.Closed closed) {
        if (!welcomed && !everWelcomed()) {
          // The first connection must come up: a server that drops it gets no second try.
          fail(
              new AgentMsgException(
                  "connection-lost",
                  closed.describe()
                      + " before the server's welcome (see: agent-msg server; try again)"));
        }
        return welcomed;
      }
      ServerFrame frame = ((WireConnection.Frame) event).frame();
      if (frame instanceof ServerFrame.Welcome
          || (frame instanceof ServerFrame.Registered && connection.original())) {
        welcomed = true;
        connected(connection);
      } else if (frame instanceof ServerFrame.Push push) {
        handler.pushed(push);
      } else if (frame instanceof ServerFrame.Stored stored) {
        answer(stored.clientId(), stored);
      } else if (frame instanceof ServerFrame.Delivered delivered && connection.original()) {
        // An original server stores nothing: having pushed the message is all it confirms.
        answer(delivered.clientId(), delivered);
      } else if (frame instanceof ServerFrame.Delivered delivered) {
        handler.delivered(delivered);
      } else if (frame instanceof ServerFrame.Pong pong) {
        answerPong(pong);
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

  private void answerPong(ServerFrame.Pong pong) {
    if (pong.agent() != null) {
      answer(PONG + pong.agent(), pong);
      return;
    }
    // An original server's pong names no agent: it answers whichever ping is waiting.
    for (String key : List.copyOf(requests.keySet())) {
      if (key.startsWith(PONG)) {
        answer(key, pong);
      }
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
    handler.welcomed(where, again, connection.original());
    handler.changed();
    if (again) {
      warnings.accept("reconnected to " + where + " as " + settings.agent());
    }
  }

  private void disconnected(WireConnection connection) {
    synchronized (lock) {
      if (current == connection) {
        current = null;
        disconnectedSince = System.nanoTime();
        next = (next + 1) % settings.urls().size(); // the one that died is tried last
      }
      if (reading == connection) {
        reading = null;
      }
      lock.notifyAll();
    }
    handler.changed();
  }

  private void fail(AgentMsgException failure) {
    boolean wasUp;
    synchronized (lock) {
      fatal = failure;
      wasUp = everWelcomed;
      lock.notifyAll();
    }
    handler.changed();
    if (wasUp) {
      warnings.accept(
          "stopped talking to "
              + where
              + ": error["
              + failure.code()
              + "]: "
              + failure.getMessage());
    }
  }

  /**
   * Acks messages on the connection being read, welcomed or not yet (a push may come before the
   * welcome, and no other connection would bring it again); with none, the server pushes them again
   * after the reconnect, and the owner acks them then.
   */
  public void ack(List<String> ids) {
    WireConnection connection;
    synchronized (lock) {
      connection = reading;
    }
    if (connection == null) {
      return;
    }
    try {
      for (String id : ids) {
        connection.send(new ClientFrame.Ack(id, null));
      }
    } catch (AgentMsgException lost) {
      // As above: pushed again after the reconnect.
    }
  }

  /**
   * Sends a request and waits for the answer whose ref (or client id) is {@code ref}; sends it
   * again on the next connection if the connection drops first.
   *
   * @throws AgentMsgException the server's error, or {@code server-unavailable} if no answer came
   *     within {@code timeout}
   */
  public ServerFrame request(String ref, ClientFrame frame, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    WireConnection dead = null;
    while (true) {
      WireConnection connection = awaitConnection(deadline, dead);
      CompletableFuture<ServerFrame> answer = new CompletableFuture<>();
      requests.put(ref, answer);
      try {
        try {
          connection.send(frame);
        } catch (AgentMsgException lost) {
          if (lost.code().equals("old-server")) {
            throw lost; // no other connection to that server can answer it either
          }
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
            throw new AgentMsgException(
                "internal", "the request to " + where + " failed inside this client; try again", e);
          }
        }
      } finally {
        requests.remove(ref, answer);
      }
    }
  }

  /**
   * Asks the server whether {@code agent} has a live receiving connection.
   *
   * @return the server's pong (an original server's names no agent and says nothing of it)
   */
  public ServerFrame.Pong ping(String agent, Duration timeout) throws InterruptedException {
    return (ServerFrame.Pong) request(PONG + agent, new ClientFrame.Ping(agent), timeout);
  }

  /**
   * Waits until the link is connected, or {@code deadline} (a {@code nanoTime}) passes.
   *
   * @throws AgentMsgException {@code server-unavailable} at the deadline, or the failure that ended
   *     the link
   */
  public void awaitConnection(long deadline) throws InterruptedException {
    awaitConnection(deadline, null);
  }

  /**
   * A welcomed, open connection other than {@code dead}, waiting for one until {@code deadline}.
   *
   * @throws AgentMsgException {@code server-unavailable} at the deadline, or the failure that ended
   *     the link
   */
  private WireConnection awaitConnection(long deadline, WireConnection dead)
      throws InterruptedException {
    synchronized (lock) {
      while (current == null || current == dead || !current.isOpen()) {
        failIfStopped();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw unavailable("for the whole call");
        }
        TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, SLICE.toNanos()));
      }
      return current;
    }
  }

  /** Whether the link has been down since before {@code sinceNanos} (a {@code nanoTime}). */
  public boolean downSince(long sinceNanos) {
    synchronized (lock) {
      return current == null && disconnectedSince - sinceNanos <= 0;
    }
  }

  public boolean connected() {
    synchronized (lock) {
      return current != null;
    }
  }

  private WireConnection currentConnection() {
    synchronized (lock) {
      return current;
    }
  }

  /**
   * Fails if the link is closed or failed for good.
   *
   * @throws AgentMsgException {@code interrupted} once closed, or the failure that ended the link
   */
  public void failIfStopped() {
    synchronized (lock) {
      if (closed) {
        throw new AgentMsgException("interrupted", "the connection to " + where + " was closed");
      }
      if (fatal != null) {
        throw new AgentMsgException(fatal.code(), fatal.getMessage(), fatal);
      }
    }
  }

  /** A {@code server-unavailable} error saying for how long and why. */
  public AgentMsgException unavailable(String how) {
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

  private boolean everWelcomed() {
    synchronized (lock) {
      return everWelcomed;
    }
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

  /** Closes the connection and stops the client; repeating it is harmless. */
  @Override
  public void close() {
    WireConnection connection;
    synchronized (lock) {
      closed = true;
      connection = current;
      lock.notifyAll();
    }
    handler.changed();
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
    client.close();
  }
}
