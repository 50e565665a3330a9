package agentmsg.internal.client;

import agentmsg.AgentMsgException;
import agentmsg.internal.security.Pem;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The WebSocket client of the command line and of {@code mcp -u}: one Jetty client (daemon threads
 * named {@code agent-msg-client}) that opens {@link WireConnection}s to an agent-msg server.
 * Thread-safe.
 */
public final class WireClient implements AutoCloseable {

  /** Frames up to this size are read; a 1 MB message escaped in JSON fits. */
  private static final long MAX_FRAME_BYTES = 16L * 1024 * 1024;

  private static final String REFERENCES_PER_CACHE_LINE =
      "org.eclipse.jetty.util.referencesPerCacheLine";

  private final KeyStore trustStore;
  private Jetty plain;
  private Jetty secure;
  private boolean closed;

  /** A started Jetty client: one for {@code ws://}, one with TLS for {@code wss://}. */
  private record Jetty(HttpClient http, WebSocketClient client) {}

  private WireClient(KeyStore trustStore) {
    this.trustStore = trustStore;
  }

  /** Starts a client that trusts the JDK's certificate authorities for {@code wss://}. */
  public static WireClient start() {
    return start(null);
  }

  /**
   * Starts a client. Its Jetty client is started by the first {@link #connect}: for a {@code ws://}
   * server without TLS, whose set-up (the JDK's certificate authorities read and checked) would
   * cost a short command about 150 ms.
   *
   * @param caPem certificates to trust for {@code wss://} (a self-signed server certificate or a
   *     private CA), or null for the JDK's authorities
   * @throws AgentMsgException with code {@code bad-tls} if {@code caPem} cannot be read
   */
  public static WireClient start(Path caPem) {
    return new WireClient(caPem == null ? null : Pem.trustStore(caPem));
  }

  /** The Jetty client for {@code url}'s scheme, started on first use. */
  private synchronized Jetty jettyFor(URI url) {
    if (closed) {
      throw new IllegalStateException("the WebSocket client is closed");
    }
    if ("wss".equalsIgnoreCase(url.getScheme())) {
      if (secure == null) {
        secure = startJetty(true);
      }
      return secure;
    }
    if (plain == null) {
      plain = startJetty(false);
    }
    return plain;
  }

  private Jetty startJetty(boolean tls) {
    // Jetty asks the JVM, through JMX, whether references are compressed, to pad its concurrent
    // structures: starting JMX costs a short command about 150 ms. Compressed below 32 GB of heap.
    if (System.getProperty(REFERENCES_PER_CACHE_LINE) == null) {
      System.setProperty(
          REFERENCES_PER_CACHE_LINE, Runtime.getRuntime().maxMemory() < 32L << 30 ? "16" : "8");
    }
    QueuedThreadPool pool = new QueuedThreadPool(16, 1);
    pool.setName("agent-msg-client");
    pool.setDaemon(true);
    ClientConnector connector =
        tls
            ? new ClientConnector()
            : new ClientConnector() {
              @Override
              protected SslContextFactory.Client newSslContextFactory() {
                return null; // ws:// only
              }
            };
    if (tls) {
      SslContextFactory.Client factory = new SslContextFactory.Client();
      factory.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
      if (trustStore != null) {
        factory.setTrustStore(trustStore);
      }
      connector.setSslContextFactory(factory);
    }
    HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
    http.setExecutor(pool);
    http.setScheduler(new ScheduledExecutorScheduler("agent-msg-client-timer", true));
    WebSocketClient client = new WebSocketClient(http);
    client.setMaxTextMessageSize(MAX_FRAME_BYTES);
    client.setIdleTimeout(Duration.ofSeconds(75));
    Jetty started = new Jetty(http, client);
    try {
      http.start();
      client.start();
    } catch (Exception e) {
      stopQuietly(started);
      throw new AgentMsgException("client-failed", "cannot start the WebSocket client: " + e, e);
    }
    return started;
  }

  /** The status and body of an HTTP answer. */
  public record HttpAnswer(int status, String body) {}

  /**
   * POSTs {@code json} to {@code url} ({@code http://} or {@code https://}, e.g. the server's
   * console API) with {@code headers}, trusting what {@link #connect} trusts.
   *
   * @throws AgentMsgException with code {@code server-unavailable} if the server cannot be reached
   *     in time, {@code tls-failed} if the TLS handshake fails
   */
  public HttpAnswer post(URI url, Map<String, String> headers, String json, Duration timeout)
      throws InterruptedException {
    URI wire = URI.create(url.toString().replaceFirst("^http", "ws")); // https: wss, http: ws
    Jetty started = jettyFor(wire);
    try {
      ContentResponse response =
          started
              .http()
              .newRequest(url)
              .method(HttpMethod.POST)
              .timeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
              .headers(fields -> headers.forEach(fields::put))
              .body(new StringRequestContent("application/json", json))
              .send();
      return new HttpAnswer(response.getStatus(), response.getContentAsString());
    } catch (ExecutionException e) {
      throw unavailable(wire, e.getCause(), "check the credential");
    } catch (TimeoutException e) {
      throw new AgentMsgException(
          "server-unavailable",
          "no answer from " + withoutQuery(url) + " within " + timeout.toMillis() + " ms",
          e);
    }
  }

  /** {@link #connect(URI, Map, Duration, String)} with no hint for a refused credential. */
  public WireConnection connect(URI url, Map<String, String> headers, Duration timeout)
      throws InterruptedException {
    return connect(url, headers, timeout, "check the token");
  }

  /**
   * Opens a connection, sending {@code headers} with the upgrade request.
   *
   * @param authHint what to tell the user when the server answers 401
   * @throws AgentMsgException with code {@code server-unavailable} if the server cannot be reached
   *     in time, {@code unauthorized} (401), {@code forbidden} (403), {@code too-many-connections}
   *     (429) or {@code server-refused} if it refuses the upgrade, {@code tls-failed} if the TLS
   *     handshake fails
   */
  // Jetty 12.1 deprecates this request constructor and connect(); moving over is its own change.
  @SuppressWarnings("removal")
  public WireConnection connect(
      URI url, Map<String, String> headers, Duration timeout, String authHint)
      throws InterruptedException {
    ClientUpgradeRequest request = new ClientUpgradeRequest();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      request.setHeader(header.getKey(), header.getValue());
    }
    request.setTimeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    WireConnection connection = new WireConnection();
    Jetty started = jettyFor(url);
    try {
      Session session =
          started
              .client()
              .connect(connection, url, request)
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      connection.opened(session, started.http().getScheduler(), withoutQuery(url));
      return connection;
    } catch (ExecutionException e) {
      throw unavailable(url, e.getCause(), authHint);
    } catch (TimeoutException e) {
      throw new AgentMsgException(
          "server-unavailable",
          "no answer from "
              + withoutQuery(url)
              + " within "
              + timeout.toMillis()
              + " ms (is the server up?)");
    } catch (IOException e) {
      throw unavailable(url, e, authHint);
    }
  }

  private static AgentMsgException unavailable(URI url, Throwable cause, String authHint) {
    String where = withoutQuery(url);
    int status = cause instanceof UpgradeException upgrade ? upgrade.getResponseStatusCode() : 0;
    if (status == 401) {
      return new AgentMsgException(
          "unauthorized", where + " refused the connection (HTTP 401): " + authHint, cause);
    }
    if (status == 403) {
      return new AgentMsgException(
          "forbidden",
          where
              + " refused the connection (HTTP 403): this address or browser origin is not"
              + " allowed (server --allow / --allow-origin)",
          cause);
    }
    if (status == 429) {
      return new AgentMsgException(
          "too-many-connections",
          where
              + " refused the connection (HTTP 429): too many connections from this address"
              + " (server --max-connections-per-address)",
          cause);
    }
    if (causedBy(cause, SSLException.class) && plainAnswer(cause)) {
      return new AgentMsgException(
          "tls-failed",
          "TLS handshake with "
              + where
              + " failed: the server did not answer in TLS (a server without --tls-cert? use"
              + " ws:// for it)",
          cause);
    }
    if (causedBy(cause, SSLHandshakeException.class)) {
      return new AgentMsgException(
          "tls-failed",
          "TLS handshake with "
              + where
              + " failed: "
              + describe(cause)
              + " (a self-signed certificate? pass it with --ca <cert.pem>; the certificate must"
              + " name the host in the URL)",
          cause);
    }
    if (status > 0) {
      return new AgentMsgException(
          "server-refused",
          where
              + " refused the WebSocket upgrade with HTTP "
              + status
              + " (a proxy that wants a --header?)",
          cause);
    }
    if (causedBy(cause, ConnectException.class)) {
      return new AgentMsgException(
          "server-unavailable",
          "cannot connect to " + where + ": connection refused (start one with: agent-msg server)",
          cause);
    }
    if (causedBy(cause, UnknownHostException.class)) {
      return new AgentMsgException(
          "server-unavailable",
          "cannot connect to " + where + ": unknown host (check the URL)",
          cause);
    }
    if (causedBy(cause, TimeoutException.class)) {
      return new AgentMsgException(
          "server-unavailable",
          "no answer from " + where + " in time (is the server up, and is it an agent-msg server?)",
          cause);
    }
    return new AgentMsgException(
        "server-unavailable",
        "cannot connect to "
            + where
            + ": "
            + (reset(cause)
                ? "the connection was reset"
                : "the server closed the connection before answering the upgrade")
            + " (is it an agent-msg server, and up? try again, or see: agent-msg ping)",
        cause);
  }

  /** Whether a TLS failure came from a server that answered in plain text. */
  private static boolean plainAnswer(Throwable cause) {
    for (Throwable next = cause; next != null; next = next.getCause()) {
      String message = next.getMessage();
      if (next instanceof SSLException
          && message != null
          && (message.contains("plaintext") || message.contains("nrecognized SSL message"))) {
        return true;
      }
      if (next.getCause() == next) {
        break;
      }
    }
    return false;
  }

  private static boolean reset(Throwable cause) {
    for (Throwable next = cause; next != null; next = next.getCause()) {
      if (next instanceof SocketException
          && next.getMessage() != null
          && next.getMessage().toLowerCase(Locale.ROOT).contains("reset")) {
        return true;
      }
      if (next.getCause() == next) {
        break;
      }
    }
    return false;
  }

  /** The URL for messages: a {@code ?token=} must not end up in a terminal or a log. */
  private static String withoutQuery(URI url) {
    String text = url.toString();
    int query = text.indexOf('?');
    return query < 0 ? text : text.substring(0, query) + "?...";
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  private static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    // Jetty puts its objects' dumps in some messages: never show those.
    if (message == null || message.length() > 200 || message.matches("(?s).*@[0-9a-f]{4,}.*")) {
      return "the connection failed";
    }
    return message;
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Jetty started : new Jetty[] {plain, secure}) {
      if (started != null) {
        stopQuietly(started);
      }
    }
    plain = null;
    secure = null;
  }

  private static void stopQuietly(Jetty jetty) {
    // WebSocketClient.stop() leaves an HttpClient passed in running: stop both.
    try {
      jetty.client().stop();
    } catch (Exception ignored) {
      // Stopping anyway; daemon threads cannot hold the JVM.
    }
    try {
      jetty.http().stop();
    } catch (Exception ignored) {
      // As above.
    }
  }
}
