package agentmsg.server;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Jetty WebSocket client for all the tests of a class, started before them and stopped after:
 * {@code @RegisterExtension static final SharedClient CLIENT = new SharedClient();}. It reads
 * frames up to 16 MiB (a history answer may be 8 MiB).
 */
final class SharedClient implements BeforeAllCallback, AfterAllCallback {
  private HttpClient http;
  private WebSocketClient client;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    http = new HttpClient();
    client = new WebSocketClient(http);
    client.setMaxTextMessageSize(16 * 1024 * 1024);
    http.start();
    client.start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    client.stop();
    http.stop();
  }

  WebSocketClient get() {
    return client;
  }
}
