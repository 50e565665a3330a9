package agentmsg.server;

import agentmsg.AgentMsgException;
import agentmsg.Options;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to run an {@link AgentMsgServer}. Immutable and thread-safe; made by {@link #builder()}.
 *
 * <table>
 *   <caption>Server options</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>home</td><td>{@code AGENT_MSG_HOME}, else {@code ~/.agent-msg}</td></tr>
 *   <tr><td>host</td><td>127.0.0.1 (loopback only until authentication exists)</td></tr>
 *   <tr><td>port</td><td>18790; 0 picks a free port</td></tr>
 *   <tr><td>idleTimeout</td><td>60 s; the server pings every third of it</td></tr>
 *   <tr><td>maxInFlight</td><td>1,000 unacknowledged pushes per connection</td></tr>
 *   <tr><td>pollInterval</td><td>2 s: the safety-net re-check of connected inboxes</td></tr>
 *   <tr><td>maxMessageBytes</td><td>1,000,000 bytes of UTF-8</td></tr>
 *   <tr><td>storeTimeout</td><td>30 s</td></tr>
 *   <tr><td>log</td><td>standard error, one line per connect, disconnect and delivery</td></tr>
 * </table>
 */
public final class ServerOptions {
  /** The port the original tool used, and ours by default. */
  public static final int DEFAULT_PORT = 18790;

  /** The host bound by default: this machine only. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  private final Path home;
  private final String host;
  private final int port;
  private final Duration idleTimeout;
  private final int maxInFlight;
  private final Duration pollInterval;
  private final int maxMessageBytes;
  private final Duration storeTimeout;
  private final PrintStream log;
  private final boolean logDeliveries;

  private ServerOptions(Builder builder) {
    this.home = builder.home != null ? builder.home : Options.builder().build().home();
    this.host = builder.host;
    this.port = builder.port;
    this.idleTimeout = builder.idleTimeout;
    this.maxInFlight = builder.maxInFlight;
    this.pollInterval = builder.pollInterval;
    this.maxMessageBytes = builder.maxMessageBytes;
    this.storeTimeout = builder.storeTimeout;
    this.log = builder.log;
    this.logDeliveries = builder.logDeliveries;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder whose home comes from {@code AGENT_MSG_HOME} (else {@code ~/.agent-msg}). */
  public static Builder fromEnvironment() {
    return builder().environment(System.getenv());
  }

  /** The data home shared with the command line. Absolute. */
  public Path home() {
    return home;
  }

  /** The address to listen on. */
  public String host() {
    return host;
  }

  /** The port to listen on; 0 for any free port. */
  public int port() {
    return port;
  }

  /** A connection silent for this long is closed; the server pings every third of it. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** How many pushed messages a connection may leave unacknowledged before pushing pauses. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** How often connected agents' inboxes are re-checked when no file event arrives. */
  public Duration pollInterval() {
    return pollInterval;
  }

  /** The largest message body accepted, in UTF-8 bytes. */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** How long to keep retrying a busy store. */
  public Duration storeTimeout() {
    return storeTimeout;
  }

  /** Where the server writes its log lines. */
  public PrintStream log() {
    return log;
  }

  /** Whether each delivery gets a log line (connects and disconnects always do). */
  public boolean logDeliveries() {
    return logDeliveries;
  }

  @Override
  public String toString() {
    return "ServerOptions{home="
        + home
        + ", host="
        + host
        + ", port="
        + port
        + ", idleTimeout="
        + idleTimeout
        + ", maxInFlight="
        + maxInFlight
        + ", pollInterval="
        + pollInterval
        + ", maxMessageBytes="
        + maxMessageBytes
        + ", storeTimeout="
        + storeTimeout
        + "}";
  }

  /** Makes {@link ServerOptions}. Not thread-safe. Every setter rejects a bad value at once. */
  public static final class Builder {
    private Path home;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private int maxInFlight = 1000;
    private Duration pollInterval = Duration.ofSeconds(2);
    private int maxMessageBytes = Options.MAX_MESSAGE_BYTES_LIMIT;
    private Duration storeTimeout = Duration.ofSeconds(30);
    private PrintStream log = System.err;
    private boolean logDeliveries = true;

    private Builder() {}

    /** Takes the data home from {@code AGENT_MSG_HOME}, else {@code HOME}, like the CLI. */
    public Builder environment(Map<String, String> env) {
      this.home = Options.builder().environment(env).build().home();
      return this;
    }

    public Builder home(Path home) {
      this.home = Objects.requireNonNull(home, "home").toAbsolutePath().normalize();
      return this;
    }

    /**
     * The address to listen on. Only loopback addresses are accepted for now: anything else would
     * let other machines act as any agent, and authentication does not exist yet.
     *
     * @throws AgentMsgException with code {@code bad-host} if it does not resolve, or {@code
     *     insecure-host} if it is not a loopback address
     */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      InetAddress address;
      try {
        address = InetAddress.getByName(host);
      } catch (UnknownHostException e) {
        throw new AgentMsgException(
            "bad-host", "cannot resolve host '" + host + "' (use e.g. 127.0.0.1)");
      }
      if (!address.isLoopbackAddress()) {
        throw new AgentMsgException(
            "insecure-host",
            "host '"
                + host
                + "' is not a loopback address, and the server has no authentication yet;"
                + " listen on 127.0.0.1 and reach it through an SSH tunnel");
      }
      this.host = host;
      return this;
    }

    /** The port: 0 (any free port) to 65535. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** The idle timeout of a connection: 1 s to 1 hour. */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout =
          requireBetween("idleTimeout", timeout, Duration.ofSeconds(1), Duration.ofHours(1));
      return this;
    }

    /** Unacknowledged pushes per connection: 1 to 100,000. */
    public Builder maxInFlight(int count) {
      if (count < 1 || count > 100_000) {
        throw new IllegalArgumentException("maxInFlight must be 1 to 100000, was " + count);
      }
      this.maxInFlight = count;
      return this;
    }

    /** The safety-net re-check interval: 10 ms to 1 hour. */
    public Builder pollInterval(Duration interval) {
      this.pollInterval =
          requireBetween("pollInterval", interval, Duration.ofMillis(10), Duration.ofHours(1));
      return this;
    }

    /** The largest message body accepted: 1 to 1,000,000 bytes of UTF-8. */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1 || bytes > Options.MAX_MESSAGE_BYTES_LIMIT) {
        throw new IllegalArgumentException(
            "maxMessageBytes must be 1 to " + Options.MAX_MESSAGE_BYTES_LIMIT + ", was " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    /** How long to retry a busy store: 0 to 10 minutes. */
    public Builder storeTimeout(Duration timeout) {
      this.storeTimeout =
          requireBetween("storeTimeout", timeout, Duration.ZERO, Duration.ofMinutes(10));
      return this;
    }

    /** Where log lines go. */
    public Builder log(PrintStream log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    /** Whether to log a line per delivery (default true); a busy server may turn it off. */
    public Builder logDeliveries(boolean logDeliveries) {
      this.logDeliveries = logDeliveries;
      return this;
    }

    public ServerOptions build() {
      return new ServerOptions(this);
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
