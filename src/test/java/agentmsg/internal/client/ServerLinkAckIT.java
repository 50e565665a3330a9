package agentmsg.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.internal.wire.ServerFrame;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.Test;

/** The link acks each push on the connection that carried it, whatever came first. */
class ServerLinkAckIT {
  private static final String WELCOME =
      "{\"type\":\"welcome\",\"version\":1,\"agent\":\"alice\",\"role\":\"receive\","
          + "\"server\":\"agent-msg\"}";
  private static final String PUSH =
      "{\"type\":\"message\",\"id\":\"m-1\",\"seq\":1,\"from\":\"bob\",\"to\":\"alice\","
          + "\"message\":\"after the restart\",\"timestamp\":\"2026-12-03T10:00:00.000Z\"}";

  @Test
  void aPushThatComesBeforeTheWelcomeOfAReconnectIsAckedOnItsConnection() throws Exception {
    try (EarlyPushServer server = new EarlyPushServer()) {
      AtomicReference<ServerLink> link = new AtomicReference<>();
      // The owner acks from the link's thread, inside the handler: before the link can have read
      // the welcome that follows the push. That is the worst case of connect's receive thread,
      // which takes the push and acks it while the link reads on.
      ServerLink.Handler acking =
          new ServerLink.Handler() {
            @Override
            public void pushed(ServerFrame.Push push) {
              link.get().ack(List.of(push.id()));
            }
          };
      link.set(
          ServerLink.open(
              new ServerLink.Settings(
                  List.of(server.url()), Map.of(), "no auth", null, "alice", true, false),
              warning -> {},
              acking));
      try {
        server.dropFirstConnection();
        JsonNode ack = server.acks.poll(20, TimeUnit.SECONDS);
        assertThat(ack).as("the ack of the push that came before the welcome").isNotNull();
        assertThat(ack.path("id").asText()).isEqualTo("m-1");
        assertThat(ack.path("connection").asInt()).isEqualTo(2);
      } finally {
        link.get().close();
      }
    }
  }

  /**
   * A server whose first connection gets a welcome only, and each later one a push and then the
   * welcome: as a server restarting under a send pushed the message before it welcomed the
   * reconnect. It records the acks, each with the number of the connection it came on.
   */
  public static final class EarlyPushServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Server jetty = new Server();
    private final ServerConnector connector = new ServerConnector(jetty);
    private final AtomicInteger connections = new AtomicInteger();
    private final BlockingQueue<Session> firsts = new LinkedBlockingQueue<>();
    final BlockingQueue<JsonNode> acks = new LinkedBlockingQueue<>();

    EarlyPushServer() throws Exception {
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      jetty.addConnector(connector);
      jetty.setHandler(
          WebSocketUpgradeHandler.from(
              jetty,
              container ->
                  container.addMapping(
                      "/*",
                      (request, response, callback) -> new Peer(connections.incrementAndGet()))));
      jetty.start();
    }

    URI url() {
      return URI.create("ws://127.0.0.1:" + connector.getLocalPort());
    }

    /** Closes the first connection as a stopping server does, once it was welcomed. */
    void dropFirstConnection() throws InterruptedException {
      Session first = firsts.poll(20, TimeUnit.SECONDS);
      assertThat(first).as("the first connection").isNotNull();
      first.close(StatusCode.SHUTDOWN, "server stopping", Callback.NOOP);
    }

    @Override
    public void close() throws Exception {
      jetty.stop();
    }

    /** One connection; public because Jetty calls its methods through method handles. */
    public final class Peer implements Session.Listener.AutoDemanding {
      private final int number;
      private Session session;

      Peer(int number) {
        this.number = number;
      }

      @Override
      public void onWebSocketOpen(Session session) {
        this.session = session;
      }

      @Override
      public void onWebSocketText(String text) {
        JsonNode frame;
        try {
          frame = JSON.readTree(text);
        } catch (java.io.IOException e) {
          throw new IllegalStateException("the link sent malformed JSON: " + text, e);
        }
        switch (frame.path("type").asText()) {
          case "hello" -> {
            if (number > 1) {
              session.sendText(PUSH, Callback.NOOP);
            }
            session.sendText(WELCOME, Callback.NOOP);
            if (number == 1) {
              firsts.add(session);
            }
          }
          case "ack" ->
              acks.add(
                  JSON.createObjectNode()
                      .put("id", frame.path("id").asText())
                      .put("connection", number));
          default -> {}
        }
      }
    }
  }
}
