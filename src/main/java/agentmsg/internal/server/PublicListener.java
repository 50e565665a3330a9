package agentmsg.internal.server;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Forwards Jetty's WebSocket events to a listener of any visibility. Jetty calls listener methods
 * through method handles, which need a public class; this one lets the server keep its connection
 * class package-private. Thread-safe as its delegate is.
 */
public final class PublicListener implements Session.Listener.AutoDemanding {
  private final Session.Listener delegate;

  public PublicListener(Session.Listener delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public void onWebSocketOpen(Session session) {
    delegate.onWebSocketOpen(session);
  }

  @Override
  public void onWebSocketText(String message) {
    delegate.onWebSocketText(message);
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    delegate.onWebSocketBinary(payload, callback);
  }

  @Override
  public void onWebSocketPong(ByteBuffer payload) {
    delegate.onWebSocketPong(payload);
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    delegate.onWebSocketError(cause);
  }

  @Override
  // Jetty 12.1 deprecates this callback for one with a Callback; moving over is its own change.
  @SuppressWarnings("removal")
  public void onWebSocketClose(int statusCode, String reason) {
    delegate.onWebSocketClose(statusCode, reason);
  }
}
