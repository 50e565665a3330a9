package agentmsg.server;

import agentmsg.Options;
import java.net.InetAddress;

/**
 * How much one connection or peer may take: unacknowledged pushes, message size, connections per
 * address, frame rate and queued bytes. Immutable, made by its {@link Builder}, whose setters
 * reject a bad value at once.
 *
 * @param limitLoopback whether {@code maxConnectionsPerAddress} was set, and so binds loopback
 *     peers too
 * @param rateLimitLoopback whether {@code maxFramesPerSecond} was set, and so binds loopback peers
 *     too
 */
record ServerLimits(
    int maxInFlight,
    int maxMessageBytes,
    int maxConnectionsPerAddress,
    boolean limitLoopback,
    int maxFramesPerSecond,
    boolean rateLimitLoopback,
    long maxQueuedBytes) {

  /** The largest {@code maxQueuedBytes}: 4 GiB. */
  static final long DEFAULT_MAX_QUEUED_BYTES = 32L << 20;

  static final long MIN_MAX_QUEUED_BYTES = 16L << 20;
  static final long MAX_MAX_QUEUED_BYTES = 4L << 30;

  /** The connection limit for one peer address. */
  int connectionLimit(InetAddress address) {
    return address.isLoopbackAddress() && !limitLoopback
        ? Integer.MAX_VALUE
        : maxConnectionsPerAddress;
  }

  /** The frame rate limit for a connection from {@code address}, or 0 for none. */
  int frameLimit(InetAddress address) {
    return address != null && address.isLoopbackAddress() && !rateLimitLoopback
        ? 0
        : maxFramesPerSecond;
  }

  @Override
  public String toString() {
    return "maxInFlight="
        + maxInFlight
        + ", maxMessageBytes="
        + maxMessageBytes
        + ", maxConnectionsPerAddress="
        + maxConnectionsPerAddress
        + ", maxFramesPerSecond="
        + maxFramesPerSecond
        + ", maxQueuedBytes="
        + maxQueuedBytes;
  }

  /** Makes {@link ServerLimits}. Not thread-safe. */
  static final class Builder {
    private int maxInFlight = 1000;
    private int maxMessageBytes = Options.MAX_MESSAGE_BYTES_LIMIT;
    private int maxConnectionsPerAddress = 64;
    private boolean limitLoopback;
    private int maxFramesPerSecond = 1000;
    private boolean rateLimitLoopback;
    private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;

    /** 1 to 100,000. */
    void maxInFlight(int count) {
      if (count < 1 || count > 100_000) {
        throw new IllegalArgumentException("maxInFlight must be 1 to 100000, was " + count);
      }
      this.maxInFlight = count;
    }

    /** 1 to {@value Options#MAX_MESSAGE_BYTES_LIMIT}. */
    void maxMessageBytes(int bytes) {
      if (bytes < 1 || bytes > Options.MAX_MESSAGE_BYTES_LIMIT) {
        throw new IllegalArgumentException(
            "maxMessageBytes must be 1 to " + Options.MAX_MESSAGE_BYTES_LIMIT + ", was " + bytes);
      }
      this.maxMessageBytes = bytes;
    }

    /** 1 to 100,000; set, it binds loopback peers too. */
    void maxConnectionsPerAddress(int count) {
      if (count < 1 || count > 100_000) {
        throw new IllegalArgumentException(
            "maxConnectionsPerAddress must be 1 to 100000, was " + count);
      }
      this.maxConnectionsPerAddress = count;
      this.limitLoopback = true;
    }

    /** 1 to 1,000,000; set, it binds loopback peers too. */
    void maxFramesPerSecond(int frames) {
      if (frames < 1 || frames > 1_000_000) {
        throw new IllegalArgumentException(
            "maxFramesPerSecond must be 1 to 1000000, was " + frames);
      }
      this.maxFramesPerSecond = frames;
      this.rateLimitLoopback = true;
    }

    /** {@link #MIN_MAX_QUEUED_BYTES} to {@link #MAX_MAX_QUEUED_BYTES}. */
    void maxQueuedBytes(long bytes) {
      if (bytes < MIN_MAX_QUEUED_BYTES || bytes > MAX_MAX_QUEUED_BYTES) {
        throw new IllegalArgumentException(
            "maxQueuedBytes must be "
                + MIN_MAX_QUEUED_BYTES
                + " to "
                + MAX_MAX_QUEUED_BYTES
                + ", was "
                + bytes);
      }
      this.maxQueuedBytes = bytes;
    }

    ServerLimits build() {
      return new ServerLimits(
          maxInFlight,
          maxMessageBytes,
          maxConnectionsPerAddress,
          limitLoopback,
          maxFramesPerSecond,
          rateLimitLoopback,
          maxQueuedBytes);
    }
  }
}
