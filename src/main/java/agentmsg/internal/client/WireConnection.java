package agentmsg.internal.client;

import agentmsg.AgentMsgException;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameCodec;
import agentmsg.internal.wire.FrameException;
import agentmsg.internal.wire.ServerFrame;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * One open connection to the server, read as a queue of {@link Event}s: frames as they arrive, and
 * a last {@link Closed} event. Keeps itself alive with a ping every 20 seconds. Thread-safe: one
 * thread reads events, any thread sends.
 */
public final class WireConnection implements Session.Listener.AutoDemanding, AutoCloseable {
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(20);

  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
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
   * Sends a frame.
   *
   * @throws AgentMsgException with code {@code connection-lost} if the connection is closed
   */
  public void send(ClientFrame frame) {
    Session current = session;
    if (current == null || !current.isOpen()) {
      throw new AgentMsgException(
          "connection-lost", "the connection to " + where + " closed; try again");
    }
    String text = FrameCodec.write(frame);
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

  @Override
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
