package agentmsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A WebSocket server that answers as the original agent-msg server does (written from its protocol,
 * not its code): {@code register} gets {@code registered}; {@code message} is passed to the
 * recipient's connection and answered {@code delivered}, or {@code error} "Agent not connected";
 * {@code ping} gets {@code pong} with a timestamp only; anything else, {@code hello} included, gets
 * no answer. It stores nothing. On loopback, port 0.
 */
public final class OriginalServerStub implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Server jetty = new Server();
  private final ServerConnector connector = new ServerConnector(jetty);
  private final Map<String, Session> agents = new ConcurrentHashMap<>();
  private final java.util.concurrent.BlockingQueue<String> registrations =
      new java.util.concurrent.LinkedBlockingQueue<>();

  public OriginalServerStub() throws Exception {
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    jetty.setHandler(
        WebSocketUpgradeHandler.from(
            jetty,
            container -> container.addMapping("/*", (request, response, callback) -> new Peer())));
    jetty.start();
  }

  /** Waits up to 30 s for {@code agent} to register; false if it did not. */
  boolean awaitRegistered(String agent) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (true) {
      String next =
          registrations.poll(
              deadline - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
      if (next == null || next.equals(agent)) {
        return next != null;
      }
    }
  }

  public URI url() {
    return URI.create("ws://127.0.0.1:" + connector.getLocalPort());
  }

  @Override
  public void close() throws Exception {
    jetty.stop();
  }

  public final class Peer implements Session.Listener.AutoDemanding {
    private Session session;
    private String agent;

    @Override
    public void onWebSocketOpen(Session session) {
      this.session = session;
    }

    @Override
    public void onWebSocketText(String text) {
      JsonNode frame;
      try {
        frame = JSON.readTree(text);
      } catch (Exception malformed) {
        return; // the original logs "Invalid message" and answers nothing
      }
      switch (frame.path("type").asText()) {
        case "register" -> {
          agent = frame.path("agent").asText();
          agents.put(agent, session);
          registrations.add(agent);
          send(session, JSON.createObjectNode().put("type", "registered").put("agent", agent));
        }
        case "message" -> {
          Session target = agents.get(frame.path("to").asText());
          if (target != null && target.isOpen()) {
            ObjectNode push = JSON.createObjectNode().put("type", "message");
            for (String field : new String[] {"id", "from", "to", "message", "timestamp"}) {
              push.set(field, frame.get(field));
            }
            send(target, push);
            send(
                session,
                JSON.createObjectNode().put("type", "delivered").set("id", frame.get("id")));
          } else {
            send(
                session,
                JSON.createObjectNode()
                    .put("type", "error")
                    .<ObjectNode>set("id", frame.get("id"))
                    .put("error", "Agent not connected"));
          }
        }
        case "ping" ->
            send(
                session,
                JSON.createObjectNode()
                    .put("type", "pong")
                    .put("timestamp", System.currentTimeMillis()));
        default -> {} // no answer, as the original
      }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
      if (agent != null) {
        agents.remove(agent, session);
      }
    }

    private void send(Session to, ObjectNode frame) {
      to.sendText(frame.toString(), Callback.NOOP);
    }
  }
}
