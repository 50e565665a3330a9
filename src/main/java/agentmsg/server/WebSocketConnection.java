package agentmsg.server;

import agentmsg.AgentNames;
import agentmsg.internal.Ids;
import agentmsg.internal.store.StoredMessage;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameCodec;
import agentmsg.internal.wire.FrameException;
import agentmsg.internal.wire.ServerFrame;
import agentmsg.server.SecurityCounters.Counter;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.api.exceptions.MessageTooLargeException;

/**
 * One WebSocket connection: reads its frames, answers them, and pushes messages to it when it is an
 * agent's receiving connection. A malformed or failing frame is answered with an {@code error}
 * frame and never closes the connection or reaches Jetty. It acts only as the agent its {@link
 * Identity} allows, and drops frames over its rate limit. What it has written and its peer has not
 * taken yet is counted in bytes: pushes pause at a quarter of {@link ServerOptions#maxQueuedBytes},
 * and a connection over it (a client that asks and never reads) is closed with 1008 {@code
 * slow-consumer}. A connection closed for abuse reads nothing more, and is cut off at the TCP level
 * if its peer does not finish the close within {@link #CLOSE_GRACE_SECONDS}. Thread-safe: Jetty
 * delivers frames one at a time; the writer, pusher, reader and timer threads send concurrently.
 */
final class WebSocketConnection
    implements Connection, Delivery.Target, Session.Listener.AutoDemanding {
  private final Hub hub;
  private final WriterQueue writer;
  private final Pusher pusher;
  private final Reads reads;
  private final ServerOptions options;
  private final SecurityCounters counters;
  private final ServerLog log;
  private final ScheduledExecutorService timer;
  private final Identity identity;
  private final InetAddress address;
  private final RateLimit rateLimit;
  private final SendAnswer answer;

  /** How long a peer closed for abuse has to finish the close before its socket is dropped. */
  static final long CLOSE_GRACE_SECONDS = 10;

  private final AtomicBoolean cutOff = new AtomicBoolean();
  private final Object sendLock = new Object();
  private final long maxQueuedBytes;
  private final AtomicLong queuedBytes = new AtomicLong();

  /** A push was held back for lack of room; the pusher is asked again once the queue drains. */
  private volatile boolean pushHeld;

  private final AtomicBoolean scanQueued = new AtomicBoolean();

  private volatile Session session;
  private volatile String remote = "?";
  private volatile String agent;
  private volatile ClientFrame.Role role;
  private volatile boolean legacy;
  private volatile String instance;
  private volatile Delivery delivery;

  /** The hello reply is out: pushes may follow it, and none may go before it. */
  private volatile boolean welcomed;

  /**
   * @param identity who the connection proved to be at the upgrade
   * @param address the peer's address, or null if unknown
   * @param timer the server's timer thread, for short delayed tasks
   */
  WebSocketConnection(
      Identity identity,
      InetAddress address,
      Hub hub,
      WriterQueue writer,
      Pusher pusher,
      Reads reads,
      ServerOptions options,
      SecurityCounters counters,
      ServerLog log,
      ScheduledExecutorService timer) {
    this.hub = hub;
    this.writer = writer;
    this.pusher = pusher;
    this.reads = reads;
    this.options = options;
    this.counters = counters;
    this.log = log;
    this.timer = timer;
    this.answer = new WireAnswer(this, hub);
    this.identity = identity;
    this.address = address;
    int frameLimit = options.frameLimit(address);
    this.rateLimit = frameLimit > 0 ? new RateLimit(frameLimit) : null;
    this.maxQueuedBytes = options.maxQueuedBytes();
  }

  @Override
  public Identity identity() {
    return identity;
  }

  @Override
  public InetAddress address() {
    return address;
  }

  @Override
  public String agent() {
    return agent;
  }

  @Override
  public boolean legacy() {
    return legacy;
  }

  @Override
  public String instance() {
    return instance;
  }

  boolean receiving() {
    return role == ClientFrame.Role.RECEIVE;
  }

  @Override
  public AtomicBoolean scanQueued() {
    return scanQueued;
  }

  @Override
  public Delivery delivery() {
    return delivery;
  }

  @Override
  public boolean welcomed() {
    return welcomed;
  }

  @Override
  public String remote() {
    return remote;
  }

  /** Open, and not being closed for abuse. */
  @Override
  public boolean isOpen() {
    Session current = session;
    return current != null && current.isOpen() && !cutOff.get();
  }

  /** Bytes written to this connection and not yet taken by its peer. */
  long queuedBytes() {
    return queuedBytes.get();
  }

  /**
   * Whether a push may be written now: less than a quarter of the queue limit is waiting. If not,
   * the pusher is asked again once the queue has drained below it.
   */
  @Override
  public boolean hasPushRoom() {
    long budget = maxQueuedBytes / 4;
    if (queuedBytes.get() < budget) {
      return true;
    }
    pushHeld = true;
    return queuedBytes.get() < budget; // drained meanwhile: the drain may have missed the flag
  }

  @Override
  public String describe() {
    return (agent == null ? "(no hello yet)" : agent)
        + " ("
        + (role == null ? "unknown role" : role.id())
        + (legacy ? ", original protocol" : "")
        + ", "
        + identity
        + ") from "
        + remote;
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    this.remote = String.valueOf(session.getRemoteSocketAddress()).replaceFirst("^/", "");
    if (!hub.opened(this)) {
      // The upgrade checked the count, but connections racing through it may overshoot.
      counters.increment(Counter.REFUSED_CONNECTIONS);
      sendError(
          "too-many-connections",
          "too many connections from "
              + (address == null ? remote : address.getHostAddress())
              + " (limit "
              + options.maxConnectionsPerAddress()
              + ")",
          null);
      close(StatusCode.POLICY_VIOLATION, "too-many-connections");
    }
  }

  @Override
  public void onWebSocketText(String text) {
    if (cutOff.get() || !withinRateLimit()) {
      return;
    }
    ClientFrame frame;
    try {
      frame = FrameCodec.parseClient(text);
    } catch (FrameException e) {
      counters.increment(Counter.BAD_FRAME);
      sendError(e.code(), e.getMessage(), e.ref());
      return;
    }
    try {
      handle(frame);
    } catch (FrameException e) {
      sendError(e.code(), e.getMessage(), e.ref());
    } catch (RuntimeException e) {
      log.line("error handling a frame from " + describe() + ": " + e);
      sendError("internal", "the server failed to handle this frame: " + e, null);
    }
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    callback.succeed();
    if (!cutOff.get() && withinRateLimit()) {
      counters.increment(Counter.BAD_FRAME);
      sendError("bad-frame", "binary frames are not supported: send JSON text frames", null);
    }
  }

  /**
   * Takes a token for one frame. Over the limit, answers {@code rate-limited} and drops the frame;
   * a client that keeps going is closed with 1008.
   */
  private boolean withinRateLimit() {
    if (rateLimit == null || rateLimit.tryAcquire()) {
      return true;
    }
    counters.increment(Counter.RATE_LIMITED);
    if (rateLimit.abusive()) {
      if (cutOff(
          "rate-limited",
          "kept sending over the rate limit of " + options.maxFramesPerSecond() + " frames/s")) {
        counters.increment(Counter.RATE_CLOSED);
      }
      return false;
    }
    sendError(
        "rate-limited",
        "over "
            + options.maxFramesPerSecond()
            + " frames/s: this frame was dropped; slow down (a client that keeps going is"
            + " disconnected)",
        null);
    return false;
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    if (cause instanceof MessageTooLargeException) {
      counters.increment(Counter.TOO_LARGE);
      log.line("closing " + describe() + ": frame too large: " + cause.getMessage());
    }
  }

  @Override
  // Jetty 12.1 deprecates this callback for one with a Callback; moving over is its own change.
  @SuppressWarnings("removal")
  public void onWebSocketClose(int statusCode, String reason) {
    hub.closed(this, statusCode, reason);
  }

  private void handle(ClientFrame frame) {
    if (frame instanceof ClientFrame.Send send) {
      handleSend(send);
    } else if (frame instanceof ClientFrame.Ack ack) {
      handleAck(ack);
    } else if (frame instanceof ClientFrame.Hello hello) {
      handleHello(hello);
    } else if (frame instanceof ClientFrame.Ping ping) {
      handlePing(ping);
    } else if (frame instanceof ClientFrame.ListAgents list) {
      handleRead(frame, list.ref());
    } else if (frame instanceof ClientFrame.History history) {
      handleRead(frame, history.ref());
    } else if (frame instanceof ClientFrame.Status status) {
      handleRead(frame, status.ref());
    }
  }

  /** A read answers for the connection's agent only, on the reader thread. */
  private void handleRead(ClientFrame request, String ref) {
    if (agent == null) {
      throw new FrameException(
          "not-registered", "say hello with your agent name before reading", ref);
    }
    reads.submit(this, request, ref);
  }

  private void handleHello(ClientFrame.Hello hello) {
    if (agent != null) {
      throw new FrameException(
          "already-registered", "this connection is already " + agent + "; open another one");
    }
    SendRules.requireName(hello.agent(), "agent", null);
    if (identity.agent() != null && !identity.agent().equals(hello.agent())) {
      counters.increment(Counter.AUTH_MISMATCH);
      sendError(
          "auth-agent-mismatch",
          "this connection's token belongs to agent '"
              + identity.agent()
              + "'; it cannot act as '"
              + hello.agent()
              + "' (use that agent's own token)",
          null);
      close(StatusCode.POLICY_VIOLATION, "auth-agent-mismatch");
      return;
    }
    if (hello.instance() != null && !AgentNames.isValid(hello.instance())) {
      throw new FrameException("invalid-field", "field 'instance' must be 1-64 of [A-Za-z0-9._-]");
    }
    this.legacy = hello.legacy();
    this.instance = hello.instance();
    if (hello.role() == ClientFrame.Role.SEND_ONLY) {
      this.role = ClientFrame.Role.SEND_ONLY;
      this.agent = hello.agent();
      hub.joined(this);
      welcome();
      return;
    }
    String holder = hub.claimReceiver(this, hello.agent(), hello.takeover(), hello.instance());
    if (holder != null && !legacy) {
      sendError(
          "already-connected",
          "agent '"
              + hello.agent()
              + "' already has a receiving connection (from "
              + holder
              + "); connect with --takeover to replace it, or as send-only",
          null);
      log.line(
          "refused a second receiving connection for "
              + hello.agent()
              + " from "
              + remote
              + " (held from "
              + holder
              + ")");
      close(StatusCode.POLICY_VIOLATION, "already-connected");
      return;
    }
    this.agent = hello.agent();
    if (holder != null) {
      // The original's send and ping also register; they keep working, without receiving.
      this.role = ClientFrame.Role.SEND_ONLY;
      hub.joined(this);
      welcome();
      sendError(
          "already-connected",
          "agent '"
              + agent
              + "' already has a receiving connection; this one can send but receives nothing",
          null);
      return;
    }
    this.role = ClientFrame.Role.RECEIVE;
    this.delivery = new Delivery(this, options.maxInFlight());
    hub.joined(this);
    // Registered (if new) by the writer; the welcome and the first push follow its commit.
    writer.register(this, agent);
  }

  @Override
  public void welcome() {
    if (legacy) {
      send(new ServerFrame.Registered(agent, FrameCodec.PROTOCOL_VERSION, role.id()));
    } else {
      send(new ServerFrame.Welcome(FrameCodec.PROTOCOL_VERSION, agent, role.id(), "agent-msg"));
    }
    welcomed = true; // after the send: a push written from now on follows the welcome on the wire
  }

  private void handleSend(ClientFrame.Send send) {
    String ref = send.clientId();
    if (agent == null) {
      throw new FrameException(
          "not-registered", "say hello (or register) with your agent name before sending", ref);
    }
    if (send.from() != null && !send.from().equals(agent)) {
      counters.increment(Counter.FROM_MISMATCH);
      throw new FrameException(
          "from-mismatch",
          "this connection is agent '" + agent + "' and cannot send as '" + send.from() + "'",
          ref);
    }
    SendRules.check(send, options, counters);
    writer.send(new WriterTask.Send(agent, send, Ids.newId(), answer));
  }

  private void handleAck(ClientFrame.Ack ack) {
    Delivery current = delivery;
    if (current == null) {
      throw new FrameException(
          "not-receiving", "only a receiving connection acks messages", ack.id());
    }
    List<String> ids = ack.upTo() == null ? new ArrayList<>() : current.idsUpTo(ack.upTo());
    if (ack.id() != null) {
      ids.add(ack.id());
    }
    writer.ack(this, ids, true);
  }

  private void handlePing(ClientFrame.Ping ping) {
    if (ping.agent() == null) {
      send(new ServerFrame.Pong(null, null, System.currentTimeMillis()));
      return;
    }
    SendRules.requireName(ping.agent(), "agent", null);
    send(
        new ServerFrame.Pong(
            ping.agent(), hub.isOnlineAnywhere(ping.agent()), System.currentTimeMillis()));
  }

  @Override
  public void sendError(String code, String message, String ref) {
    send(ServerFrame.Error.of(code, message, ref, legacy));
  }

  @Override
  public void send(ServerFrame frame) {
    send(frame, Callback.NOOP);
  }

  /**
   * Sends a frame; {@code callback} learns whether it was written. Never blocks. A frame that would
   * take the queue over {@link ServerOptions#maxQueuedBytes} is not sent, and the connection is
   * closed as a slow consumer.
   */
  @Override
  public void send(ServerFrame frame, Callback callback) {
    Session current = session;
    if (current == null || !current.isOpen() || cutOff.get()) {
      callback.fail(new IllegalStateException("connection closed"));
      return;
    }
    if (rateLimit != null && frame instanceof ServerFrame.Push) {
      rateLimit.credit(); // its ack must not count against the receiver
    }
    String text = FrameCodec.write(frame);
    long bytes = utf8Length(text);
    long queued = queuedBytes.addAndGet(bytes);
    if (queued > maxQueuedBytes) {
      queuedBytes.addAndGet(-bytes);
      if (cutOff(
          "slow-consumer",
          "over " + maxQueuedBytes + " bytes written to it were not read (ask less, or read)")) {
        counters.increment(Counter.SLOW_CLOSED);
      }
      callback.fail(new IllegalStateException("connection closed: slow consumer"));
      return;
    }
    Callback counted =
        Callback.from(
            () -> {
              drained(bytes);
              callback.succeed();
            },
            failure -> {
              drained(bytes);
              callback.fail(failure);
            });
    synchronized (sendLock) {
      current.sendText(text, counted);
    }
  }

  private void drained(long bytes) {
    long left = queuedBytes.addAndGet(-bytes);
    if (pushHeld && left < maxQueuedBytes / 4) {
      pushHeld = false;
      pusher.request(this);
    }
  }

  /**
   * Closes the connection for abuse, once: 1008 with {@code code} as the reason, a log line with
   * {@code why}, and the socket dropped if the peer does not finish the close in time.
   *
   * @return whether this call did it (the first)
   */
  private boolean cutOff(String code, String why) {
    if (!cutOff.compareAndSet(false, true)) {
      return false;
    }
    log.line("closing " + describe() + ": " + code + ": " + why);
    Session current = session;
    if (current != null) {
      current.close(StatusCode.POLICY_VIOLATION, code, Callback.NOOP);
      try {
        var unusedGrace =
            timer.schedule(
                () -> {
                  if (current.isOpen()) {
                    current.disconnect();
                  }
                },
                CLOSE_GRACE_SECONDS,
                TimeUnit.SECONDS);
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        current.disconnect(); // the server is stopping: no grace
      }
    }
    return true;
  }

  /** The UTF-8 length of {@code text}, without encoding it. */
  static long utf8Length(String text) {
    long bytes = 0;
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < length) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  @Override
  public void handedOver(StoredMessage row) {
    hub.handedOver(row);
  }

  @Override
  public void sendPing() {
    Session current = session;
    if (current != null && current.isOpen()) {
      synchronized (sendLock) {
        current.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
      }
    }
  }

  @Override
  public void close(int statusCode, String reason) {
    Session current = session;
    if (current != null) {
      current.close(statusCode, reason, Callback.NOOP);
    }
  }
}
