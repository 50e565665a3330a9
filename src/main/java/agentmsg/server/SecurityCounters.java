package agentmsg.server;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the server refused or cut short, for one log line every so often: an operator sees a
 * token-guessing or flooding client without a line per attempt. Thread-safe.
 */
final class SecurityCounters {
  /** What is counted; {@link #id} is the stable name in the log line. */
  enum Counter {
    REFUSED_AUTH("refused-auth"),
    REFUSED_ORIGIN("refused-origin"),
    REFUSED_ALLOWLIST("refused-allowlist"),
    REFUSED_CONNECTIONS("refused-connections"),
    AUTH_MISMATCH("auth-agent-mismatch"),
    FROM_MISMATCH("from-mismatch"),
    RATE_LIMITED("rate-limited"),
    RATE_CLOSED("rate-closed"),
    SLOW_CLOSED("slow-closed"),
    TOO_LARGE("too-large"),
    BAD_FRAME("bad-frame"),
    REVOKED_CLOSED("revoked-closed");

    private final String id;

    Counter(String id) {
      this.id = id;
    }

    String id() {
      return id;
    }
  }

  private final Map<Counter, LongAdder> counts = new EnumMap<>(Counter.class);
  private String lastLogged = "";

  SecurityCounters() {
    for (Counter counter : Counter.values()) {
      counts.put(counter, new LongAdder());
    }
  }

  void increment(Counter counter) {
    counts.get(counter).increment();
  }

  long get(Counter counter) {
    return counts.get(counter).sum();
  }

  /** One line with every counter since the start: {@code counters: refused-auth=0 ...}. */
  String line() {
    StringBuilder line = new StringBuilder("counters:");
    for (Counter counter : Counter.values()) {
      line.append(' ').append(counter.id()).append('=').append(get(counter));
    }
    return line.toString();
  }

  /** The line, if it differs from the one this method returned last; else null. */
  synchronized String lineIfChanged() {
    String line = line();
    if (line.equals(lastLogged)) {
      return null;
    }
    lastLogged = line;
    return line;
  }
}
