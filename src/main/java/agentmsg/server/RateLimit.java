package agentmsg.server;

/**
 * A token bucket for the frames of one connection: {@code rate} tokens a second, at most {@code
 * burst} saved up. A frame over the limit is dropped and counted as a strike; {@link #abusive} says
 * when a client has collected a second's worth of strikes (at least 50) without pausing for a whole
 * second. A frame let through does not wipe the strikes: a flood keeps finding the token that
 * refilled a moment ago, and must not be forgiven for it. Each message the server pushes gives one
 * token back, so a receiver acking its messages never runs dry however fast they come. Thread-safe.
 */
final class RateLimit {
  private static final long QUIET_NANOS = 1_000_000_000L;

  private final double rate;
  private final double burst;
  private final long maxStrikes;
  private double tokens;
  private long refilledAt;
  private long strikes;
  private long lastStrikeAt;

  RateLimit(int perSecond) {
    this.rate = perSecond;
    this.burst = perSecond * 10.0;
    this.maxStrikes = Math.max(50, perSecond);
    this.tokens = burst;
    this.refilledAt = System.nanoTime();
  }

  /** Takes a token for one frame; false if there is none (the frame is to be dropped). */
  synchronized boolean tryAcquire() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - refilledAt) * rate / 1e9);
    refilledAt = now;
    if (strikes > 0 && now - lastStrikeAt >= QUIET_NANOS) {
      strikes = 0; // it paused for a second: the earlier strikes are forgiven
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    strikes++;
    lastStrikeAt = now;
    return false;
  }

  /** Gives one token back (a pushed message will be acked). */
  synchronized void credit() {
    tokens = Math.min(burst, tokens + 1);
  }

  /** Whether the client went on sending past the limit long enough to be cut off. */
  synchronized boolean abusive() {
    return strikes > maxStrikes;
  }
}
