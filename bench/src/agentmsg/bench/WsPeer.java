package agentmsg.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One benchmark WebSocket connection speaking the agent-msg protocol in plain JSON frames (as the
 * README documents it), with no agent-msg client code in between. Incoming frames go to a {@link
 * Handler} on Jetty's reading thread, stamped with {@link System#nanoTime()}. The harness reads
 * only the few fields it needs, with a string search: the server writes ids and client ids without
 * escapes. Public because Jetty calls listeners through method handles. Thread-safe.
 */
public final class WsPeer implements Session.Listener.AutoDemanding {
  /** What to do with a frame; runs on a Jetty thread and must not block. */
  interface Handler {
    void frame(WsPeer peer, String type, String text, long nanos);
  }

  private final String agent;
  private final Object sendLock = new Object();
  private final CompletableFuture<Void> welcomed = new CompletableFuture<>();
  private volatile Handler handler;
  private volatile Session session;
  private volatile String lastError;

  WsPeer(String agent, Handler handler) {
    this.agent = agent;
    this.handler = handler;
  }

  String agent() {
    return agent;
  }

  void handler(Handler handler) {
    this.handler = handler;
  }

  String lastError() {
    return lastError;
  }

  /**
   * Says hello as a receiving or send-only connection; {@link #awaitWelcome} waits for the answer.
   */
  void hello(boolean receive) {
    send(
        "{\"type\":\"hello\",\"version\":1,\"agent\":\""
            + agent
            + "\",\"role\":\""
            + (receive ? "receive" : "send-only")
            + "\"}");
  }

  void awaitWelcome(long timeoutMillis) throws Exception {
    welcomed.get(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  void sendMessage(String clientId, String to, String body) {
    send(
        "{\"type\":\"send\",\"clientId\":\""
            + clientId
            + "\",\"to\":\""
            + to
            + "\",\"message\":\""
            + body
            + "\"}");
  }

  void ack(String id) {
    send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
  }

  void send(String text) {
    Session current = session;
    if (current == null || !current.isOpen()) {
      throw new IllegalStateException("connection of " + agent + " is closed (" + lastError + ")");
    }
    synchronized (sendLock) {
      current.sendText(text, Callback.NOOP);
    }
  }

  void close() {
    Session current = session;
    if (current != null && current.isOpen()) {
      current.close(1000, "bye", Callback.NOOP);
    }
  }

  /** The string value of {@code "field":"..."} in a server frame, or null. */
  static String field(String text, String field) {
    String key = "\"" + field + "\":\"";
    int start = text.indexOf(key);
    if (start < 0) {
      return null;
    }
    start += key.length();
    int end = text.indexOf('"', start);
    return end < 0 ? null : text.substring(start, end);
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
  }

  @Override
  public void onWebSocketText(String text) {
    long nanos = System.nanoTime();
    String type = field(text, "type");
    if ("welcome".equals(type)) {
      welcomed.complete(null);
      return;
    }
    if ("error".equals(type)) {
      lastError = text;
      welcomed.completeExceptionally(new IllegalStateException(agent + ": " + text));
    }
    handler.frame(this, type, text, nanos);
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    callback.succeed();
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    lastError = String.valueOf(cause);
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    welcomed.completeExceptionally(
        new IllegalStateException(agent + " closed: " + statusCode + " " + reason));
  }
}
