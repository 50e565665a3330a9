package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A raw WebSocket client for tests: sends any text, and reads what the server sends as JSON. Public
 * because Jetty calls listener methods through method handles.
 */
public final class TestSocket implements Session.Listener.AutoDemanding, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile String closeReason;
  private volatile Session session;

  private TestSocket() {}

  static TestSocket connect(WebSocketClient client, URI uri) throws Exception {
    TestSocket socket = new TestSocket();
    socket.session = client.connect(socket, uri).get(10, TimeUnit.SECONDS);
    return socket;
  }

  /** Connects and says hello as {@code agent} with {@code role}; returns after the welcome. */
  static TestSocket hello(WebSocketClient client, URI uri, String agent, String role)
      throws Exception {
    TestSocket socket = connect(client, uri);
    socket.send("{\"type\":\"hello\",\"agent\":\"" + agent + "\",\"role\":\"" + role + "\"}");
    JsonNode welcome = socket.next("welcome");
    assertThat(welcome.path("version").asInt()).isEqualTo(1);
    return socket;
  }

  void send(String text) {
    session.sendText(text, Callback.NOOP);
  }

  /** Sends a {@code send} frame. */
  void sendMessage(String clientId, String to, String body) throws Exception {
    send(
        JSON.writeValueAsString(
            JSON.createObjectNode()
                .put("type", "send")
                .put("clientId", clientId)
                .put("to", to)
                .put("message", body)));
  }

  void ack(String id) {
    send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
  }

  /** The next frame, failing the test if none comes within 10 s. */
  JsonNode next() throws InterruptedException {
    JsonNode frame = frames.poll(10, TimeUnit.SECONDS);
    assertThat(frame).as("a frame within 10 s").isNotNull();
    return frame;
  }

  /** The next frame, which must have {@code type}. */
  JsonNode next(String type) throws InterruptedException {
    JsonNode frame = next();
    assertThat(frame.path("type").asText()).as("type of %s", frame).isEqualTo(type);
    return frame;
  }

  /** Skips frames until one of {@code type} arrives (within 10 s each). */
  JsonNode nextOf(String type) throws InterruptedException {
    while (true) {
      JsonNode frame = next();
      if (frame.path("type").asText().equals(type)) {
        return frame;
      }
    }
  }

  /** The status code the connection closed with, waiting up to 10 s. */
  int awaitClose() throws Exception {
    return closed.get(10, TimeUnit.SECONDS);
  }

  String closeReason() {
    return closeReason;
  }

  boolean isOpen() {
    return session.isOpen();
  }

  @Override
  public void onWebSocketText(String message) {
    try {
      frames.add(JSON.readTree(message));
    } catch (Exception e) {
      frames.add(JSON.createObjectNode().put("type", "unparsable").put("text", message));
    }
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    // A close event follows; tests look at its status code.
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    closeReason = reason;
    closed.complete(statusCode);
  }

  @Override
  public void close() {
    if (session != null && session.isOpen()) {
      session.close();
    }
  }
}
