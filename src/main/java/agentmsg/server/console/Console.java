package agentmsg.server.console;

import agentmsg.AgentMsgException;
import agentmsg.internal.server.PublicListener;
import agentmsg.internal.store.Database;
import agentmsg.internal.store.Store;
import agentmsg.internal.wire.FrameException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.WebSocketCreator;

/**
 * The console, served under {@code /console/} beside the WebSocket upgrade: its page (from the
 * jar), its JSON API under {@code /console/api/}, and its live socket at {@link #LIVE_PATH}. Every
 * API call and the socket need a session cookie, got by trading a one-time code from {@code
 * agent-msg console} (minted into the data home by its owner, or by this server for the holder of
 * its team secret: {@code POST /console/api/code}); every request that names an origin must name
 * this server's, and every request and socket passes the server's {@link Admission} first.
 * Thread-safe.
 */
public final class Console implements AutoCloseable {
  /** Where the live socket is upgraded. */
  public static final String LIVE_PATH = "/console/live";

  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  private static final int PAGE = 50;

  /** How long a send from the page waits for the writer's commit. */
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  private final Path home;
  private final Store store;
  private final Store feedStore;
  private final Store rosterStore;
  private final Predicate<String> online;
  private final ConsoleSessions sessions = new ConsoleSessions();
  private final ConsoleFeed feed;
  private final ConsoleSender sender;
  private final Admission admission;

  /**
   * @param online whether an agent has a live receiving connection
   * @param database the PostgreSQL database the server shares, or null for the data home's H2 file
   * @param loopLimit the loop guard's limit for threads without their own, which the page shows
   * @param sendPath the server's send path, which the page's sends take
   * @param admission the server's address rules, checked before every request and socket
   * @param log where the console's warnings go
   */
  public Console(
      Path home,
      Database database,
      Duration storeTimeout,
      Predicate<String> online,
      int loopLimit,
      SendPath sendPath,
      Admission admission,
      Consumer<String> log) {
    this.admission = admission;
    this.home = home;
    this.store = Store.open(home, database, storeTimeout, Store.Mode.PREFER_OWNER, log);
    this.online = online;
    this.feedStore = Store.open(home, database, storeTimeout, Store.Mode.PREFER_OWNER, log);
    this.rosterStore = Store.open(home, database, storeTimeout, Store.Mode.PREFER_OWNER, log);
    this.feed = new ConsoleFeed(feedStore, rosterStore, online, loopLimit, log);
    this.sender = new ConsoleSender(store, sendPath);
  }

  public void start() {
    feed.start();
  }

  /** The handler that serves the console and hands every other request to {@code next}. */
  public Handler handler(Handler next) {
    return new Handler.Wrapper(next) {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        String path = Request.getPathInContext(request);
        if (!path.equals("/console") && !path.startsWith("/console/")) {
          return super.handle(request, response, callback);
        }
        return serve(
            path, request, response, callback, () -> super.handle(request, response, callback));
      }
    };
  }

  /** The creator of live sockets; the handler let the upgrade through only with a session. */
  public WebSocketCreator liveCreator() {
    return (request, response, callback) -> {
      InetAddress address = remoteAddress(request);
      return new PublicListener(
          new Session.Listener.AutoDemanding() {
            private Session session;

            @Override
            public void onWebSocketOpen(Session opened) {
              session = opened;
              Admission.Refusal refusal = admission.opened(address);
              if (refusal != null) {
                // Sockets racing through the upgrade overshot the address's limit.
                opened.close(
                    StatusCode.POLICY_VIOLATION,
                    refusal.code(),
                    org.eclipse.jetty.websocket.api.Callback.NOOP);
                return;
              }
              feed.opened(opened);
            }

            @Override
            // PublicListener forwards this callback (see there); moving to the one with a
            // Callback goes with it.
            @SuppressWarnings("removal")
            public void onWebSocketClose(int statusCode, String reason) {
              if (session != null) {
                admission.closed(address);
                feed.closed(session);
              }
            }
          });
    };
  }

  private interface Upgrade {
    boolean run() throws Exception;
  }

  private boolean serve(
      String path, Request request, Response response, Callback callback, Upgrade upgrade)
      throws Exception {
    securityHeaders(response);
    InetAddress address = remoteAddress(request);
    Admission.Refusal refusal = admission.request(address); // a socket's upgrade is one too
    if (refusal == null && path.equals(LIVE_PATH)) {
      refusal = admission.socket(address);
    }
    if (refusal != null) {
      return error(response, callback, refusal.status(), refusal.code(), refusal.message());
    }
    if (!originAllowed(request)) {
      return error(
          response, callback, 403, "forbidden-origin", "requests from other origins are refused");
    }
    long now = System.currentTimeMillis();
    if (path.equals("/console/api/code") && request.getMethod().equals("POST")) {
      // From another machine: the team secret's holder gets a code the owner would have minted.
      if (!admission.isTeamSecret(bearer(request))) {
        return error(
            response,
            callback,
            403,
            "forbidden",
            "a console reads every message: only the team secret opens one from another machine"
                + " (or run agent-msg console on the server's machine)");
      }
      return json(response, callback, 200, Map.of("code", ConsoleCodes.mint(home)));
    }
    if (path.equals("/console/api/session") && request.getMethod().equals("POST")) {
      JsonNode body;
      try {
        body = ConsoleJson.read(Content.Source.asString(request, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        return refused(response, callback, e); // 400 invalid-request, never a server error
      }
      if (!ConsoleCodes.redeem(home, body.path("code").asText(null), now)) {
        return error(
            response,
            callback,
            401,
            "bad-code",
            "this sign-in link is used or expired: run agent-msg console for a new one");
      }
      Response.addCookie(
          response,
          HttpCookie.build(ConsoleSessions.COOKIE, sessions.open(now))
              .httpOnly(true)
              .sameSite(HttpCookie.SameSite.STRICT)
              .secure(request.isSecure())
              .path("/console")
              .maxAge(ConsoleSessions.LIFETIME.toSeconds())
              .build());
      return json(response, callback, 200, Map.of("ok", true));
    }
    boolean signedIn = sessions.isValid(sessionId(request), now);
    if (path.equals(LIVE_PATH)) {
      if (!signedIn) {
        return error(response, callback, 401, "unauthorized", "sign in first");
      }
      return upgrade.run();
    }
    if (path.startsWith("/console/api/")) {
      if (!signedIn) {
        return error(
            response,
            callback,
            401,
            "unauthorized",
            "sign in first: run agent-msg console for a link");
      }
      try {
        return api(path.substring("/console/api/".length()), request, response, callback);
      } catch (IllegalArgumentException | AgentMsgException | FrameException e) {
        return refused(response, callback, e);
      }
    }
    return asset(path, response, callback);
  }

  /**
   * Answers a refused call with the code a WebSocket client would get: 400 for the caller's
   * mistake, 503 when the store failed (send again).
   */
  private static boolean refused(Response response, Callback callback, Throwable failure) {
    String code;
    if (failure instanceof TimeoutException) {
      return error(
          response,
          callback,
          504,
          "timeout",
          "the server did not answer the send within "
              + SEND_TIMEOUT.toSeconds()
              + " s; it may still be stored: look before sending again");
    }
    if (failure instanceof FrameException frame) {
      code = frame.code();
    } else if (failure instanceof AgentMsgException known) {
      code = known.code();
    } else if (failure instanceof IllegalArgumentException) {
      code = "invalid-request";
    } else {
      code = "internal";
    }
    int status = code.startsWith("store-") || code.equals("internal") ? 503 : 400;
    return error(response, callback, status, code, String.valueOf(failure.getMessage()));
  }

  private boolean api(String call, Request request, Response response, Callback callback)
      throws Exception {
    Fields query = Request.extractQueryParameters(request);
    long before = parseLong(query.getValue("before"), Long.MAX_VALUE);
    switch (call) {
      case "agents" -> {
        return json(response, callback, 200, ConsoleJson.agents(store.agentSummaries(), online));
      }
      case "messages" -> {
        return json(response, callback, 200, ConsoleJson.messages(store.newest(before, PAGE * 4)));
      }
      case "thread" -> {
        String thread = require(query.getValue("id"), "id");
        return json(
            response, callback, 200, ConsoleJson.messages(store.threadMessages(thread, 1_000)));
      }
      case "search" -> {
        String text = require(query.getValue("q"), "q");
        String agent = blankToNull(query.getValue("agent"));
        return json(
            response, callback, 200, ConsoleJson.messages(store.search(agent, text, before, PAGE)));
      }
      case "send" -> {
        if (!request.getMethod().equals("POST")) {
          return error(response, callback, 405, "method", "send is a POST");
        }
        JsonNode body = ConsoleJson.read(Content.Source.asString(request, StandardCharsets.UTF_8));
        // Answered once the writer has committed it (on the writer's thread: a short write).
        var unusedAnswered =
            sender
                .send(body)
                .orTimeout(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete(
                    (sent, failure) -> {
                      if (failure == null) {
                        json(response, callback, 200, ConsoleJson.messages(sent));
                      } else {
                        Throwable cause =
                            failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure;
                        refused(response, callback, cause);
                      }
                    });
        return true;
      }
      default -> {
        return error(response, callback, 404, "not-found", "no console call '" + call + "'");
      }
    }
  }

  private static String require(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing the parameter '" + name + "'");
    }
    return value;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static long parseLong(String value, long fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: '" + value + "'");
    }
  }

  private static String bearer(Request request) {
    String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).strip();
  }

  private static InetAddress remoteAddress(Request request) {
    SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
    return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }

  private static String sessionId(Request request) {
    List<HttpCookie> cookies = Request.getCookies(request);
    for (HttpCookie cookie : cookies) {
      if (cookie.getName().equals(ConsoleSessions.COOKIE)) {
        return cookie.getValue();
      }
    }
    return null;
  }

  /**
   * Whether the request's {@code Origin}, when it sends one, is this server as the browser reached
   * it: a page elsewhere may not call the API or open the socket even with a cookie (which
   * SameSite=Strict already keeps from cross-site requests).
   */
  static boolean originAllowed(Request request) {
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (origin == null) {
      String site = request.getHeaders().get("Sec-Fetch-Site");
      return site == null || site.equals("same-origin") || site.equals("none");
    }
    String host = request.getHeaders().get(HttpHeader.HOST);
    String scheme = request.isSecure() ? "https://" : "http://";
    return host != null && origin.equalsIgnoreCase(scheme + host);
  }

  private static void securityHeaders(Response response) {
    response.getHeaders().put("Content-Security-Policy", CSP);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.getHeaders().put("X-Frame-Options", "DENY");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
  }

  private boolean asset(String path, Response response, Callback callback) throws IOException {
    String name =
        switch (path) {
          case "/console", "/console/", "/console/index.html" -> "index.html";
          case "/console/console.js" -> "console.js";
          case "/console/console.css" -> "console.css";
          default -> null;
        };
    if (name == null) {
      return error(response, callback, 404, "not-found", "no such page");
    }
    byte[] bytes;
    try (InputStream in = Console.class.getResourceAsStream(name)) {
      if (in == null) {
        return error(response, callback, 500, "missing", "the jar lacks the console's " + name);
      }
      bytes = in.readAllBytes();
    }
    String type =
        name.endsWith(".html")
            ? "text/html; charset=utf-8"
            : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.write(true, ByteBuffer.wrap(bytes), callback);
    return true;
  }

  private static boolean json(Response response, Callback callback, int status, Object value) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    response.write(
        true, ByteBuffer.wrap(ConsoleJson.write(value).getBytes(StandardCharsets.UTF_8)), callback);
    return true;
  }

  private static boolean error(
      Response response, Callback callback, int status, String code, String message) {
    return json(response, callback, status, Map.of("error", code, "message", message));
  }

  @Override
  public void close() {
    feed.close();
    store.close();
    feedStore.close();
    rosterStore.close();
  }
}
