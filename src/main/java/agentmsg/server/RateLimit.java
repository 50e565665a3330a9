package agentmsg.server;

/**
 * A token bucket for the frames of one connection: {@code rate} tokens a second, at most {@code
 * burst} saved up. A frame over the limit is dropped and counted as a strike; {@link #abusive} says
 * when a client kept sending through a whole second's worth of strikes. Each message the server
 * pushes gives one token back, so a receiver acking its messages never runs dry however fast they
 * come. Thread-safe.
 */
final class RateLimit {
  private final double rate;
  private final double burst;
  private final long maxStrikes;
  private double tokens;
  private long refilledAt;
  private long strikes;

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
    if (tokens >= 1) {
      tokens -= 1;
      strikes = 0;
      return true;
    }
    strikes++;
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
