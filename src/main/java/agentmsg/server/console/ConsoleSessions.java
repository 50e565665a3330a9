package agentmsg.server.console;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signed-in browsers: a random session id per redeemed code, kept in memory only (a restarted
 * server signs everyone out), each valid for {@link #LIFETIME}. Thread-safe.
 */
final class ConsoleSessions {
  static final Duration LIFETIME = Duration.ofHours(12);
  static final String COOKIE = "agentmsg_console";

  private final SecureRandom random = new SecureRandom();

  /** The hash of each session id, to its expiry in epoch milliseconds. */
  private final Map<String, Long> sessions = new ConcurrentHashMap<>();

  /** Starts a session; returns its id, for the cookie. */
  String open(long nowMillis) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String id = HexFormat.of().formatHex(bytes);
    sessions.put(ConsoleCodes.hash(id), nowMillis + LIFETIME.toMillis());
    sessions.values().removeIf(expiry -> expiry < nowMillis);
    return id;
  }

  boolean isValid(String id, long nowMillis) {
    if (id == null || id.length() != 64) {
      return false;
    }
    Long expiry = sessions.get(ConsoleCodes.hash(id));
    return expiry != null && expiry >= nowMillis;
  }
}
