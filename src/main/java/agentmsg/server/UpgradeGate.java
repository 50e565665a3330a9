package agentmsg.server;

import agentmsg.internal.security.AgentTokens;
import agentmsg.internal.security.Tokens;
import agentmsg.internal.server.PublicListener;
import agentmsg.server.SecurityCounters.Counter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketCreator;

/**
 * Decides each WebSocket upgrade before a connection exists, in this order: the address allowlist
 * (403), the browser {@code Origin} (403), connections per address (429), then the credential (401
 * with {@code WWW-Authenticate: Bearer realm="agent-msg"}). A refusal is counted, never logged one
 * by one, and never echoes a credential. Thread-safe.
 */
final class UpgradeGate implements WebSocketCreator {
  /** The original tool's README sends this header through nginx; we check it ourselves too. */
  static final String TOKEN_HEADER = "x-agent-token";

  private final ServerOptions options;
  private final SecurityCounters counters;
  private final Hub hub;
  private final AgentTokens tokens;
  private final BiFunction<Identity, InetAddress, Session.Listener> connections;

  /**
   * @param hub counts the connections from each address
   * @param connections makes the connection of an upgrade let through, as whom it proved to be and
   *     from where
   */
  UpgradeGate(
      ServerOptions options,
      SecurityCounters counters,
      Hub hub,
      AgentTokens tokens,
      BiFunction<Identity, InetAddress, Session.Listener> connections) {
    this.options = options;
    this.counters = counters;
    this.hub = hub;
    this.tokens = tokens;
    this.connections = connections;
  }

  @Override
  public Object createWebSocket(
      ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
    InetAddress address = remoteAddress(request);
    if (!allowed(options, address)) {
      counters.increment(Counter.REFUSED_ALLOWLIST);
      return refuse(
          response, callback, 403, "forbidden: this address may not connect (see server --allow)");
    }
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (origin != null && !originAllowed(origin)) {
      counters.increment(Counter.REFUSED_ORIGIN);
      return refuse(
          response,
          callback,
          403,
          "forbidden: upgrades from web pages of this origin are refused"
              + " (see server --allow-origin)");
    }
    if (address != null && hub.connectionsFrom(address) >= options.connectionLimit(address)) {
      counters.increment(Counter.REFUSED_CONNECTIONS);
      return refuse(
          response,
          callback,
          429,
          "too many connections from this address (limit "
              + options.maxConnectionsPerAddress()
              + ", see server --max-connections-per-address)");
    }
    Optional<Identity> identity = authenticate(request);
    if (identity.isEmpty()) {
      counters.increment(Counter.REFUSED_AUTH);
      response
          .getHeaders()
          .put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"" + ServerOptions.REALM + "\"");
      return refuse(
          response,
          callback,
          401,
          "unauthorized: send a valid token (Authorization: Bearer <token>)");
    }
    return new PublicListener(connections.apply(identity.get(), address));
  }

  private Optional<Identity> authenticate(ServerUpgradeRequest request) {
    if (options.auth() == ServerAuth.NONE) {
      return Optional.of(Identity.UNAUTHENTICATED);
    }
    String token = presentedToken(request);
    if (token == null || !Tokens.isWellFormed(token)) {
      return Optional.empty();
    }
    byte[] hash = Tokens.hash(token);
    byte[] secret = options.sharedSecretHash();
    if (secret != null && Tokens.sameHash(hash, secret)) {
      return Optional.of(new Identity(null, "team-secret", null));
    }
    return tokens.agentFor(token).map(agent -> new Identity(agent, "token", hash));
  }

  /**
   * The token from {@code Authorization: Bearer}, else {@code x-agent-token}, else {@code ?token=}.
   */
  static String presentedToken(ServerUpgradeRequest request) {
    String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (authorization != null) {
      String trimmed = authorization.strip();
      if (trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return trimmed.substring(7).strip();
      }
    }
    String header = request.getHeaders().get(TOKEN_HEADER);
    if (header != null) {
      return header.strip();
    }
    String query = request.getHttpURI().getQuery();
    if (query != null) {
      for (String pair : query.split("&", -1)) {
        if (pair.startsWith("token=")) {
          try {
            return URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
          } catch (IllegalArgumentException malformed) {
            return null;
          }
        }
      }
    }
    return null;
  }

  /** Whether {@code address} (null: unknown) is in the allow list, when there is one. */
  static boolean allowed(ServerOptions options, InetAddress address) {
    List<AddressRange> ranges = options.allowRanges();
    if (ranges.isEmpty()) {
      return true;
    }
    if (address == null) {
      return false;
    }
    for (AddressRange range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private boolean originAllowed(String origin) {
    String normalized = origin.strip().toLowerCase(Locale.ROOT);
    while (normalized.endsWith("/")) {
      normalized = normalized.substring(0, normalized.length() - 1);
    }
    return options.allowedOrigins().contains(normalized);
  }

  private static InetAddress remoteAddress(ServerUpgradeRequest request) {
    SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
    return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }

  private static Object refuse(
      ServerUpgradeResponse response, Callback callback, int status, String text) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.write(true, ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)), callback);
    return null;
  }
}
