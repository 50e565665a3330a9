package agentmsg.server.console;

import java.net.InetAddress;

/**
 * What the server lets the console serve to a peer address: the same {@code --allow} list and
 * per-address limits its WebSocket upgrades get, checked before anything else, so a refused address
 * gets neither the page nor any data. Thread-safe.
 */
public interface Admission {
  /** Why an HTTP request from {@code address} (null: unknown) is refused, or null to serve it. */
  Refusal request(InetAddress address);

  /** Why a live socket from {@code address} is refused, or null to open it. */
  Refusal socket(InetAddress address);

  /**
   * A live socket from {@code address} opened: it counts toward the address's connections.
   *
   * @return the refusal, when sockets racing through {@link #socket} overshot the limit
   */
  Refusal opened(InetAddress address);

  /** A live socket from {@code address} that {@link #opened} counted closed. */
  void closed(InetAddress address);

  /**
   * Whether {@code token} is the server's team secret (false when it has none): its holder may have
   * a sign-in code minted from afar. A per-agent token may not: a console reads everything.
   */
  boolean isTeamSecret(String token);

  /**
   * A refusal: the HTTP status, the error code (the wire's) and a one-line message.
   *
   * @param status 403 for an address outside the allow list, 429 over a limit
   */
  record Refusal(int status, String code, String message) {}
}
