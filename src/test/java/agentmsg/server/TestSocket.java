package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.internal.security.AgentTokens;
import agentmsg.internal.security.TokenFiles;
import agentmsg.internal.store.Store;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A raw WebSocket client for tests: sends any text, and reads what the server sends as JSON. Public
 * because Jetty calls listener methods through method handles.
 */
public final class TestSocket implements Session.Listener.AutoDemanding, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The type of the frame {@link #next} returns once the connection has closed. */
  static final String CLOSED = "(closed)";

  private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile String closeReason;
  private volatile Session session;

  private TestSocket() {}

  /** Connects without a credential (for servers with no auth, and for refusals). */
  static TestSocket connect(WebSocketClient client, URI uri) throws Exception {
    return connect(client, uri, Map.of());
  }

  /** Connects sending {@code headers} with the upgrade. */
  static TestSocket connect(WebSocketClient client, URI uri, Map<String, String> headers)
      throws Exception {
    TestSocket socket = new TestSocket();
    ClientUpgradeRequest request = new ClientUpgradeRequest();
    headers.forEach(request::setHeader);
    socket.session = client.connect(socket, uri, request).get(10, TimeUnit.SECONDS);
    return socket;
  }

  /** Connects with the token of {@code agent} in {@code home}, issuing it if needed. */
  static TestSocket connectAs(WebSocketClient client, URI uri, Path home, String agent)
      throws Exception {
    return connect(client, uri, Map.of("Authorization", "Bearer " + token(home, agent)));
  }

  /** The token of {@code agent} in {@code home}, issued as {@code register} would. */
  static String token(Path home, String agent) {
    try (Store store = Store.open(home, Duration.ofSeconds(30))) {
      new AgentTokens(store, warning -> {}).ensure(agent);
    }
    return TokenFiles.read(TokenFiles.file(home, agent), warning -> {}).orElseThrow();
  }

  /** Says hello as {@code agent} with {@code role} on a server with no auth. */
  static TestSocket hello(WebSocketClient client, URI uri, String agent, String role)
      throws Exception {
    return hello(connect(client, uri), agent, role);
  }

  /** Connects with the agent's token from {@code home}, says hello; returns after the welcome. */
  static TestSocket hello(WebSocketClient client, URI uri, Path home, String agent, String role)
      throws Exception {
    return hello(connectAs(client, uri, home, agent), agent, role);
  }

  /** Connects to {@code server} with the agent's token and says hello. */
  static TestSocket hello(WebSocketClient client, AgentMsgServer server, String agent, String role)
      throws Exception {
    return hello(client, server.uri(), server.options().home(), agent, role);
  }

  private static TestSocket hello(TestSocket socket, String agent, String role)
      throws InterruptedException {
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

  /** The next frame, or null if none arrives within {@code millis}. */
  JsonNode poll(long millis) throws InterruptedException {
    return frames.poll(millis, TimeUnit.MILLISECONDS);
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

  /** The frames received and not yet read, without waiting. */
  java.util.List<JsonNode> drain() {
    java.util.List<JsonNode> all = new java.util.ArrayList<>();
    frames.drainTo(all);
    return all;
  }

  /** Sends a binary frame. */
  void sendBinary(byte[] bytes) {
    session.sendBinary(java.nio.ByteBuffer.wrap(bytes), Callback.NOOP);
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
    frames.add(JSON.createObjectNode().put("type", CLOSED).put("status", statusCode));
  }

  @Override
  public void close() {
    if (session != null && session.isOpen()) {
      session.close();
    }
  }
}
