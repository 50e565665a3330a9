package agentmsg.server;

import agentmsg.internal.security.Tokens;
import agentmsg.server.SecurityCounters.Counter;
import agentmsg.server.console.Admission;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's doorman, with the rules of {@link UpgradeGate}: an address outside {@code --allow}
 * is refused (403); a live socket counts toward {@code --max-connections-per-address} beside the
 * address's WebSocket connections (429); HTTP requests from one address are held to {@code
 * --max-frames-per-second}, as one connection's frames are (429). Loopback is exempt from the
 * limits unless they were set, as for connections. Refusals are counted like the gate's.
 * Thread-safe.
 */
final class ConsoleAdmission implements Admission {
  /** Addresses whose request rate is remembered; the least recently seen is forgotten first. */
  private static final int MAX_TRACKED = 10_000;

  private final ServerOptions options;
  private final SecurityCounters counters;
  private final Hub hub;

  private final Map<InetAddress, RateLimit> rates =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, RateLimit> eldest) {
          return size() > MAX_TRACKED;
        }
      };

  /** {@code hub} counts the connections from each address. */
  ConsoleAdmission(ServerOptions options, SecurityCounters counters, Hub hub) {
    this.options = options;
    this.counters = counters;
    this.hub = hub;
  }

  @Override
  public Refusal request(InetAddress address) {
    Refusal outside = outsideAllowList(address);
    if (outside != null) {
      return outside;
    }
    int limit = options.frameLimit(address);
    if (address == null || limit <= 0) {
      return null;
    }
    RateLimit rate;
    synchronized (rates) {
      rate = rates.computeIfAbsent(address, key -> new RateLimit(limit));
    }
    if (rate.tryAcquire()) {
      return null;
    }
    counters.increment(Counter.RATE_LIMITED);
    return new Refusal(
        429,
        "rate-limited",
        "over " + options.maxFramesPerSecond() + " requests/s from this address: slow down");
  }

  @Override
  public Refusal socket(InetAddress address) {
    Refusal outside = outsideAllowList(address);
    if (outside != null) {
      return outside;
    }
    if (address != null && hub.connectionsFrom(address) >= options.connectionLimit(address)) {
      return tooMany();
    }
    return null;
  }

  @Override
  public Refusal opened(InetAddress address) {
    return address == null || hub.openedOther(address) ? null : tooMany();
  }

  @Override
  public void closed(InetAddress address) {
    if (address != null) {
      hub.closedOther(address);
    }
  }

  @Override
  public boolean isTeamSecret(String token) {
    byte[] secret = options.sharedSecretHash();
    return secret != null
        && token != null
        && Tokens.isWellFormed(token)
        && Tokens.sameHash(Tokens.hash(token), secret);
  }

  private Refusal tooMany() {
    counters.increment(Counter.REFUSED_CONNECTIONS);
    return new Refusal(
        429,
        "too-many-connections",
        "too many connections from this address (limit "
            + options.maxConnectionsPerAddress()
            + ", see server --max-connections-per-address)");
  }

  private Refusal outsideAllowList(InetAddress address) {
    if (UpgradeGate.allowed(options, address)) {
      return null;
    }
    counters.increment(Counter.REFUSED_ALLOWLIST);
    return new Refusal(403, "forbidden", "this address may not connect (see server --allow)");
  }
}
