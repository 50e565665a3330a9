package agentmsg.server;

import agentmsg.AgentMsgException;
import agentmsg.internal.RecentIds;
import agentmsg.internal.mailbox.AgentInboxWatch;
import agentmsg.internal.mailbox.InboxImporter;
import agentmsg.internal.mailbox.MailboxLayout;
import agentmsg.internal.mailbox.MirrorWriter;
import agentmsg.internal.security.AgentTokens;
import agentmsg.internal.store.Store;
import agentmsg.server.SecurityCounters.Counter;
import agentmsg.server.console.Console;
import java.net.BindException;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The agent-msg WebSocket server, embeddable: it shares a data home with the command line, stores
 * every message sent through it durably before answering, and pushes each message to its
 * recipient's live connection the moment it exists, whoever stored it.
 *
 * <pre>{@code
 * try (AgentMsgServer server = AgentMsgServer.start(ServerOptions.builder().port(0).build())) {
 *   System.out.println("listening on " + server.uri());
 *   server.awaitStop();
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #stop} stops accepting, answers and commits what was queued, closes every
 * connection and then the store.
 */
public final class AgentMsgServer implements AutoCloseable {
  /** The largest frame read; larger ones close the connection with 1009. */
  static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;

  private final ServerOptions options;
  private final ServerLog log;
  private final Store writeStore;
  private final Store readStore;
  private final AgentInboxWatch watch;
  private final SecurityCounters counters = new SecurityCounters();
  private final Hub hub;
  private final AgentTokens tokens;
  private final MirrorQueue mirror;
  private final WriterQueue writerQueue = new WriterQueue();
  private final GroupWriter writer;
  private final Pusher pusher;
  private final Cluster cluster;
  private final OtherServers otherServers;
  private final Store queryStore;
  private final Reads reads;
  private final MailboxWatcher watcher;
  private final Console console;
  private final ScheduledExecutorService timer;
  private final Server jetty;
  private final ServerConnector connector;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private boolean stopping;
  private volatile boolean listening;

  /** A store of the server's: one connection of its own (a role that must not wait on another). */
  private static Store openStore(ServerOptions options) {
    return Store.open(
        options.home(),
        options.database(),
        options.storeTimeout(),
        Store.Mode.PREFER_OWNER,
        warning -> options.log().println("warning: " + warning));
  }

  private AgentMsgServer(ServerOptions options) {
    this.options = options;
    this.log = new ServerLog(options.log(), options.logDeliveries());
    // The server writes the most: it takes the file over from a store host, if one holds it.
    this.writeStore = openStore(options);
    this.readStore = openStore(options);
    MailboxLayout layout = new MailboxLayout(options.home());
    MirrorWriter mirrorWriter = new MirrorWriter(layout);
    RecentIds ownIds = new RecentIds(200_000);
    this.watch = new AgentInboxWatch(layout);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "agent-msg-timer");
              thread.setDaemon(true);
              return thread;
            });
    this.tokens = new AgentTokens(readStore, warning -> log.line("warning: " + warning));
    this.mirror = new MirrorQueue(mirrorWriter, layout, ownIds, log);
    this.cluster = new Cluster(readStore);
    this.pusher = new Pusher(readStore, log);
    this.hub = new Hub(options, log, watch, cluster, writerQueue, pusher);
    this.writer =
        new GroupWriter(
            writeStore, cluster.node(), writerQueue, hub, pusher, mirror, log, options.loopLimit());
    // Its own connection: a search must not hold up pushes, nor a push a search.
    this.queryStore = openStore(options);
    this.reads = new Reads(queryStore, log);
    this.otherServers = new OtherServers(readStore, cluster.node(), log, hub, pusher);
    InboxImporter importer =
        new InboxImporter(
            readStore,
            layout,
            mirrorWriter,
            options.maxMessageBytes(),
            warning -> log.line("warning: " + warning));
    this.watcher = new MailboxWatcher(watch, importer, ownIds, hub, pusher, log);
    QueuedThreadPool pool = new QueuedThreadPool();
    pool.setName("agent-msg-jetty");
    pool.setDaemon(true);
    this.jetty = new Server(pool);
    this.connector = newConnector(jetty, options);
    connector.setHost(options.host());
    connector.setPort(options.port());
    jetty.addConnector(connector);
    this.console =
        new Console(
            options.home(),
            options.database(),
            options.storeTimeout(),
            hub::isOnline,
            options.loopLimit(),
            new ConsoleSendPath(options, counters, writerQueue),
            new ConsoleAdmission(options, counters, hub),
            line -> log.line("warning: " + line));
    jetty.setHandler(
        console.handler(
            WebSocketUpgradeHandler.from(
                jetty,
                container -> {
                  container.setIdleTimeout(options.idleTimeout());
                  container.setMaxTextMessageSize(MAX_FRAME_BYTES);
                  container.setMaxBinaryMessageSize(64 * 1024);
                  container.addMapping(Console.LIVE_PATH, console.liveCreator());
                  container.addMapping(
                      "/*", new UpgradeGate(options, counters, hub, tokens, this::connect));
                })));
    jetty.setStopTimeout(5_000);
  }

  /** The connection of an upgrade that the gate let through. */
  private WebSocketConnection connect(Identity identity, InetAddress address) {
    return new WebSocketConnection(
        identity, address, hub, writerQueue, pusher, reads, options, counters, log, timer);
  }

  private static ServerConnector newConnector(Server jetty, ServerOptions options) {
    if (!options.tls()) {
      return new ServerConnector(jetty);
    }
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(options.tlsKeyStore());
    tls.setKeyStorePassword(new String(options.tlsKeyPassword()));
    HttpConfiguration http = new HttpConfiguration();
    // Clients check the certificate against the host they dialled; the server need not second-guess
    // the SNI name (an IP address, say, sends none).
    http.addCustomizer(new SecureRequestCustomizer(false));
    return new ServerConnector(jetty, tls, new HttpConnectionFactory(http));
  }

  /**
   * Starts a server: opens (and if needed migrates) the store, then listens.
   *
   * @throws AgentMsgException with code {@code port-in-use} if the port is taken, {@code
   *     store-unavailable} if the store cannot be opened, {@code server-failed} otherwise
   */
  public static AgentMsgServer start(ServerOptions options) {
    AgentMsgServer server = new AgentMsgServer(Objects.requireNonNull(options, "options"));
    try {
      server.startAll();
    } catch (RuntimeException e) {
      server.stop();
      throw e;
    }
    return server;
  }

  private void startAll() {
    writeStore.reach(); // opens and migrates now, so a broken store fails the start
    mirror.start();
    writer.start();
    pusher.start();
    otherServers.start();
    watcher.start();
    console.start();
    try {
      jetty.start();
    } catch (Exception e) {
      if (causedBy(e, BindException.class)) {
        throw new AgentMsgException(
            "port-in-use",
            "cannot listen on "
                + options.host()
                + ":"
                + options.port()
                + ": the port is in use (another agent-msg server? pick another with -p)",
            e);
      }
      throw new AgentMsgException(
          "server-failed",
          "cannot start the server on " + options.host() + ":" + options.port() + ": " + e,
          e);
    }
    long safetyNet = options.pollInterval().toMillis();
    // Periodic tasks of the timer, which stop() shuts down.
    var unusedRecheck =
        timer.scheduleWithFixedDelay(this::recheckAll, safetyNet, safetyNet, TimeUnit.MILLISECONDS);
    long keepAlive = Math.max(1, options.idleTimeout().toMillis() / 3);
    var unusedPing =
        timer.scheduleWithFixedDelay(this::pingAll, keepAlive, keepAlive, TimeUnit.MILLISECONDS);
    long stats = options.statsInterval().toMillis();
    var unusedStats =
        timer.scheduleWithFixedDelay(this::periodicChecks, stats, stats, TimeUnit.MILLISECONDS);
    listening = true;
    log.line(
        "listening on "
            + uri()
            + " (data home "
            + options.home()
            + (options.database() == null
                ? ""
                : "; database " + options.database().safeUrl() + ", server " + cluster.node())
            + "; auth: "
            + describeAuth()
            + ")");
  }

  private String describeAuth() {
    return switch (options.auth()) {
      case TOKENS -> "per-agent tokens";
      case SHARED_SECRET -> "team secret or per-agent tokens";
      case NONE -> "none (--no-auth)";
    };
  }

  /** Logs changed counters, and closes connections whose token was revoked since they opened. */
  private void periodicChecks() {
    try {
      for (Connection connection : hub.openConnections()) {
        byte[] hash = connection.identity().tokenHash();
        if (hash != null && connection.isOpen() && !tokens.isValid(hash)) {
          counters.increment(Counter.REVOKED_CLOSED);
          log.line("closing " + connection.describe() + ": its token was revoked");
          connection.sendError(
              "token-revoked", "this connection's token was revoked (token rotate)", null);
          connection.close(StatusCode.POLICY_VIOLATION, "token-revoked");
        }
      }
    } catch (RuntimeException e) {
      log.line("warning: cannot check tokens for revocation: " + e.getMessage());
    }
    String line = counters.lineIfChanged();
    if (line != null) {
      log.line(line);
    }
  }

  // A periodic task that throws is never run again: each connection's failure stays its own.
  private void recheckAll() {
    for (Connection receiver : hub.receivers()) {
      try {
        pusher.request(receiver);
      } catch (RuntimeException e) {
        log.line("warning: cannot recheck " + receiver.describe() + ": " + e.getMessage());
      }
    }
  }

  private void pingAll() {
    for (Connection connection : hub.openConnections()) {
      try {
        connection.sendPing();
      } catch (RuntimeException e) {
        log.line("warning: cannot ping " + connection.describe() + ": " + e.getMessage());
      }
    }
  }

  /** The URL clients connect to, e.g. {@code ws://127.0.0.1:18790} ({@code wss://} with TLS). */
  public URI uri() {
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    return URI.create((options.tls() ? "wss://" : "ws://") + host + ":" + port());
  }

  /** The port listened on (the real one when the options asked for 0). */
  public int port() {
    int port = connector.getLocalPort();
    return port > 0 ? port : options.port();
  }

  public ServerOptions options() {
    return options;
  }

  /** Blocks until {@link #stop} has finished. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /**
   * Stops: no new connections or frames, commits and answers what was queued, closes every
   * connection (status 1001), then the store. Repeating it is harmless.
   */
  public void stop() {
    synchronized (this) {
      if (stopping) {
        return;
      }
      stopping = true;
    }
    List<RuntimeException> failures = new ArrayList<>();
    try {
      connector.close(); // no new connections; open ones go on until their queued work is done
      writerQueue.flush(5_000);
      hub.closeAll();
      jetty.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      failures.add(new AgentMsgException("server-failed", "stopping Jetty failed: " + e, e));
    }
    timer.shutdownNow();
    for (AutoCloseable part :
        List.<AutoCloseable>of(console, otherServers, watcher, pusher, reads, writer, mirror)) {
      try {
        part.close();
      } catch (Exception e) {
        failures.add(new AgentMsgException("server-failed", "stopping failed: " + e, e));
      }
    }
    writeStore.close();
    readStore.close();
    queryStore.close();
    if (listening) {
      log.line(counters.line());
      log.line("stopped");
    }
    stopped.countDown();
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }
}
