package agentmsg.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a server waits and how often it looks: the idle timeout of a connection, the safety-net
 * re-check of inboxes, the retrying of a busy store and the logging of the security counters.
 * Immutable, made by its {@link Builder}, whose setters reject a bad value at once.
 */
record ServerTimings(
    Duration idleTimeout, Duration pollInterval, Duration storeTimeout, Duration statsInterval) {

  @Override
  public String toString() {
    return "idleTimeout="
        + idleTimeout
        + ", pollInterval="
        + pollInterval
        + ", storeTimeout="
        + storeTimeout
        + ", statsInterval="
        + statsInterval;
  }

  /** Makes {@link ServerTimings}. Not thread-safe. */
  static final class Builder {
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration pollInterval = Duration.ofSeconds(2);
    private Duration storeTimeout = Duration.ofSeconds(30);
    private Duration statsInterval = Duration.ofSeconds(60);

    /** 1 s to 1 hour. */
    void idleTimeout(Duration timeout) {
      this.idleTimeout =
          requireBetween("idleTimeout", timeout, Duration.ofSeconds(1), Duration.ofHours(1));
    }

    /** 10 ms to 1 hour. */
    void pollInterval(Duration interval) {
      this.pollInterval =
          requireBetween("pollInterval", interval, Duration.ofMillis(10), Duration.ofHours(1));
    }

    /** 0 to 10 minutes. */
    void storeTimeout(Duration timeout) {
      this.storeTimeout =
          requireBetween("storeTimeout", timeout, Duration.ZERO, Duration.ofMinutes(10));
    }

    /** 1 s to 1 day. */
    void statsInterval(Duration interval) {
      this.statsInterval =
          requireBetween("statsInterval", interval, Duration.ofSeconds(1), Duration.ofDays(1));
    }

    ServerTimings build() {
      return new ServerTimings(idleTimeout, pollInterval, storeTimeout, statsInterval);
    }

    private static Duration requireBetween(
        String name, Duration value, Duration min, Duration max) {
      Objects.requireNonNull(value, name);
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }
  }
}
