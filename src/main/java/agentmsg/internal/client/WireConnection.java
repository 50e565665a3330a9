package agentmsg.internal.client;

import agentmsg.AgentMsgException;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameCodec;
import agentmsg.internal.wire.FrameException;
import agentmsg.internal.wire.ServerFrame;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * One open connection to the server, read as a queue of {@link Event}s: frames as they arrive, and
 * a last {@link Closed} event. Keeps itself alive with a ping every 20 seconds. Thread-safe: one
 * thread reads events, any thread sends.
 *
 * <p>Speaks the original tool's protocol to a server of the original tool, found by {@link #hello}
 * (it ignores {@code hello}): frames are then sent as the original's ({@code register}, {@code
 * message}, {@code ping}), acks are dropped (it has none), and a frame it has no counterpart of
 * fails at once with {@code old-server}; its answers are read into our frames ({@code registered},
 * {@code delivered} naming the id sent, {@code error} with code {@code not-connected}).
 */
public final class WireConnection implements Session.Listener.AutoDemanding, AutoCloseable {
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(20);

  /**
   * How long {@link #hello} waits for an answer before it takes the server for an original one. Our
   * server answers at once; the original's ignores {@code hello} and never answers it.
   */
  public static final Duration ORIGINAL_DETECT = Duration.ofMillis(1_500);

  private static final String NOT_CONNECTED = "Agent not connected";

  private final LinkedBlockingDeque<Event> events = new LinkedBlockingDeque<>();

  /** Whether the server speaks only the original tool's protocol. */
  private volatile boolean original;

  /** A welcome came after {@link #hello} tried the original's register: its refusal is dropped. */
  private volatile boolean dropSecondRegister;

  private volatile String agent;

  /** The recipient of each message sent to an original server, by the id it was sent with. */
  private final Map<String, String> sentTo = new ConcurrentHashMap<>();

  private final Object sendLock = new Object();
  private volatile Session session;
  private volatile Scheduler.Task keepAlive;
  private volatile String where = "the server";

  WireConnection() {}

  /** What the server said or did. */
  public sealed interface Event {}

  /** A frame from the server. */
  public record Frame(ServerFrame frame) implements Event {}

  /** The connection closed; nothing follows. */
  public record Closed(int statusCode, String reason) implements Event {
    /** Whether the server closed it on purpose with a reason worth showing. */
    public boolean refused() {
      return statusCode == StatusCode.POLICY_VIOLATION
          || statusCode == StatusCode.MESSAGE_TOO_LARGE;
    }

    /**
     * What happened, in the product's words: the server's own reason when it closed on purpose,
     * never the WebSocket library's text for a lost connection (which names its internals).
     */
    public String describe() {
      return switch (statusCode) {
        case StatusCode.NORMAL -> "the server closed the connection";
        case StatusCode.SHUTDOWN -> "the server is stopping";
        case StatusCode.MESSAGE_TOO_LARGE ->
            "the server closed the connection (1009: a frame was over its size limit)";
        case StatusCode.POLICY_VIOLATION ->
            "the server closed the connection ("
                + statusCode
                + (reason.isEmpty() || !reason.matches("[a-z0-9-]{1,60}") ? "" : " " + reason)
                + ")";
        case StatusCode.SERVER_ERROR ->
            "the server failed ("
                + statusCode
                + (reason.matches("[a-z0-9-]{1,60}") ? " " + reason : "")
                + ")";
        default -> "the connection was lost (" + statusCode + ", no close from the server)";
      };
    }
  }

  void opened(Session session, Scheduler scheduler, String where) {
    this.session = session;
    this.where = where;
    scheduleKeepAlive(scheduler);
  }

  private void scheduleKeepAlive(Scheduler scheduler) {
    keepAlive =
        scheduler.schedule(
            () -> {
              Session current = session;
              if (current != null && current.isOpen()) {
                synchronized (sendLock) {
                  current.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
                }
                scheduleKeepAlive(scheduler);
              }
            },
            KEEP_ALIVE);
  }

  /**
   * Says who this connection is: sends {@code hello} and waits up to {@code wait} for the server's
   * first frame, which it leaves to be read. A server that says nothing is taken for the original
   * tool's: the connection registers the original way, and its {@code registered} answer (read as
   * {@link ServerFrame.Registered}) stands for the welcome. Should our server answer later after
   * all, the connection goes back to our protocol.
   */
  public void hello(ClientFrame.Hello hello, Duration wait) throws InterruptedException {
    agent = hello.agent();
    send(hello);
    Event first = events.poll(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
    if (first != null) {
      events.putFirst(first);
      return;
    }
    original = true;
    sendText(FrameCodec.writeOriginal(hello, hello.agent(), null));
  }

  /** Whether the server speaks only the original tool's protocol (see {@link #hello}). */
  public boolean original() {
    return original;
  }

  /**
   * Sends a frame.
   *
   * @throws AgentMsgException with code {@code connection-lost} if the connection is closed, or
   *     {@code old-server} for a frame that a server of the original tool has no counterpart of
   */
  public void send(ClientFrame frame) {
    if (original) {
      sendOriginal(frame);
      return;
    }
    sendText(FrameCodec.write(frame));
  }

  private void sendOriginal(ClientFrame frame) {
    if (frame instanceof ClientFrame.Ack) {
      return; // the original has no acks: a push is all it does
    }
    String id = null;
    if (frame instanceof ClientFrame.Send send) {
      id = send.clientId() != null ? send.clientId() : agentmsg.internal.Ids.newId();
      sentTo.put(id, send.to());
    }
    String text = FrameCodec.writeOriginal(frame, agent, id);
    if (text == null) {
      throw new AgentMsgException(
          "old-server",
          "the server is an original agent-msg server, which cannot answer '"
              + (frame instanceof ClientFrame.ListAgents
                  ? "list"
                  : frame instanceof ClientFrame.History
                      ? "history"
                      : frame instanceof ClientFrame.Status ? "status" : "this request")
              + "' (it only passes messages between connected agents; upgrade it to agent-msg"
              + " server to use this)");
    }
    sendText(text);
  }

  private void sendText(String text) {
    Session current = session;
    if (current == null || !current.isOpen()) {
      throw new AgentMsgException(
          "connection-lost", "the connection to " + where + " closed; try again");
    }
    synchronized (sendLock) {
      current.sendText(text, Callback.NOOP);
    }
  }

  /** The next event, waiting up to {@code timeout}; null if none came. */
  public Event next(Duration timeout) throws InterruptedException {
    return events.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
  }

  public boolean isOpen() {
    Session current = session;
    return current != null && current.isOpen();
  }

  @Override
  public void onWebSocketText(String text) {
    try {
      ServerFrame frame = FrameCodec.parseServer(text);
      if (frame instanceof ServerFrame.Welcome && original) {
        original = false; // ours after all, only slow: it refuses the register sent meanwhile
        dropSecondRegister = true;
      } else if (frame instanceof ServerFrame.Error error
          && dropSecondRegister
          && "already-registered".equals(error.code())) {
        dropSecondRegister = false;
        return;
      } else if (original) {
        frame = fromOriginal(frame);
      }
      if (frame != null) {
        events.add(new Frame(frame));
      }
    } catch (FrameException e) {
      events.add(
          new Frame(
              new ServerFrame.Error(
                  "bad-frame",
                  "the server sent a malformed frame: " + e.getMessage(),
                  null,
                  null,
                  null)));
    }
  }

  /** An original server's answer as our frame says it. */
  private ServerFrame fromOriginal(ServerFrame frame) {
    if (frame instanceof ServerFrame.Delivered delivered && delivered.clientId() == null) {
      // Pushed to the recipient's connection (never stored): 'id' is the id the message was sent
      // with.
      return new ServerFrame.Delivered(
          delivered.id(), delivered.id(), sentTo.remove(delivered.id()), null, null);
    }
    if (frame instanceof ServerFrame.Error error && NOT_CONNECTED.equals(error.message())) {
      String to = error.ref() == null ? null : sentTo.remove(error.ref());
      String who = to == null ? "the recipient" : "'" + to + "'";
      return new ServerFrame.Error(
          "not-connected",
          who
              + " is not connected to the server, an original agent-msg server, which neither"
              + " stores nor queues messages: nothing was sent (send when "
              + who
              + " is connected, or upgrade the server to agent-msg server)",
          error.ref(),
          null,
          null);
    }
    return frame;
  }

  @Override
  // Jetty 12.1 deprecates this callback for one with a Callback; moving over is its own change.
  @SuppressWarnings("removal")
  public void onWebSocketClose(int statusCode, String reason) {
    Scheduler.Task task = keepAlive;
    if (task != null) {
      task.cancel();
    }
    events.add(new Closed(statusCode, reason == null ? "" : reason));
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    // A close event follows; its status code says what happened.
  }

  /** Closes the connection normally. */
  @Override
  public void close() {
    Scheduler.Task task = keepAlive;
    if (task != null) {
      task.cancel();
    }
    Session current = session;
    if (current != null && current.isOpen()) {
      current.close(StatusCode.NORMAL, "bye", Callback.NOOP);
    }
  }
}
