package agentmsg.server;

import agentmsg.AgentMsgException;
import agentmsg.Options;
import agentmsg.internal.store.Database;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to run an {@link AgentMsgServer}. Immutable and thread-safe; made by {@link #builder()}.
 *
 * <table>
 *   <caption>Server options</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>home</td><td>{@code AGENT_MSG_HOME}, else {@code ~/.agent-msg}</td></tr>
 *   <tr><td>host</td><td>127.0.0.1; any other address needs TLS (or allowPlaintext) and auth</td></tr>
 *   <tr><td>port</td><td>18790; 0 picks a free port</td></tr>
 *   <tr><td>idleTimeout</td><td>60 s; the server pings every third of it</td></tr>
 *   <tr><td>maxInFlight</td><td>1,000 unacknowledged pushes per connection</td></tr>
 *   <tr><td>pollInterval</td><td>2 s: the safety-net re-check of connected inboxes</td></tr>
 *   <tr><td>maxMessageBytes</td><td>1,000,000 bytes of UTF-8</td></tr>
 *   <tr><td>storeTimeout</td><td>30 s</td></tr>
 *   <tr><td>log</td><td>standard error, one line per connect, disconnect and delivery</td></tr>
 *   <tr><td>auth</td><td>{@link ServerAuth#TOKENS}: per-agent tokens from the data home</td></tr>
 *   <tr><td>allowedOrigins</td><td>none: a browser page's upgrade is refused with 403</td></tr>
 *   <tr><td>allow</td><td>every address (ranges refuse others with 403)</td></tr>
 *   <tr><td>tls</td><td>off (ws://); a PEM pair or a PKCS#12 keystore turns it on (wss://)</td></tr>
 *   <tr><td>maxConnectionsPerAddress</td><td>64 (loopback peers exempt unless set)</td></tr>
 *   <tr><td>maxFramesPerSecond</td><td>1,000 per connection, bursts of 10 times that (loopback
 *   peers exempt unless set)</td></tr>
 *   <tr><td>maxQueuedBytes</td><td>32 MiB written to a connection and not yet taken by its
 *   peer; over it the connection is closed with 1008 {@code slow-consumer} (pushes pause at a
 *   quarter of it)</td></tr>
 *   <tr><td>statsInterval</td><td>60 s: how often changed security counters are logged</td></tr>
 *   <tr><td>loopLimit</td><td>30 ({@code AGENT_MSG_LOOP_LIMIT}): the loop guard's limit for
 *   threads without their own, as {@link Options#loopLimit()}</td></tr>
 * </table>
 *
 * <p>{@link Builder#build()} refuses a non-loopback host with {@link ServerAuth#NONE}, and without
 * TLS unless {@link Builder#allowPlaintext} says a proxy or VPN protects the network.
 */
public final class ServerOptions {
  /** The port the original tool used, and ours by default. */
  public static final int DEFAULT_PORT = ServerNetwork.DEFAULT_PORT;

  /** The host bound by default: this machine only. */
  public static final String DEFAULT_HOST = ServerNetwork.DEFAULT_HOST;

  /** The default of {@link #maxQueuedBytes}: 32 MiB. */
  public static final long DEFAULT_MAX_QUEUED_BYTES = ServerLimits.DEFAULT_MAX_QUEUED_BYTES;

  /** The smallest {@link #maxQueuedBytes}: 16 MiB, room for the largest read answer. */
  public static final long MIN_MAX_QUEUED_BYTES = ServerLimits.MIN_MAX_QUEUED_BYTES;

  /** The realm of the {@code WWW-Authenticate} header of a 401. */
  public static final String REALM = "agent-msg";

  // The options come in groups, each an immutable value whose builder holds its rules: where to
  // listen (ServerNetwork), who may connect (ServerAccess), how long to wait (ServerTimings) and
  // how much one connection may take (ServerLimits). The rest is held here.
  private final Path home;
  private final Database database;
  private final PrintStream log;
  private final boolean logDeliveries;
  private final int loopLimit;
  private final ServerNetwork network;
  private final ServerAccess access;
  private final ServerTimings timings;
  private final ServerLimits limits;

  private ServerOptions(Builder builder, ServerNetwork network) {
    this.home = builder.home != null ? builder.home : Options.builder().build().home();
    this.database = builder.database;
    this.log = builder.log;
    this.logDeliveries = builder.logDeliveries;
    this.loopLimit = builder.loopLimit;
    this.network = network;
    this.access = builder.access.build();
    this.timings = builder.timings.build();
    this.limits = builder.limits.build();
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

  /**
   * The PostgreSQL database this server shares with others ({@code --db}), or null: the data home's
   * H2 file.
   */
  public Database database() {
    return database;
  }

  /** The address to listen on. */
  public String host() {
    return network.host();
  }

  /** The port to listen on; 0 for any free port. */
  public int port() {
    return network.port();
  }

  /** A connection silent for this long is closed; the server pings every third of it. */
  public Duration idleTimeout() {
    return timings.idleTimeout();
  }

  /** How many pushed messages a connection may leave unacknowledged before pushing pauses. */
  public int maxInFlight() {
    return limits.maxInFlight();
  }

  /** How often connected agents' inboxes are re-checked when no file event arrives. */
  public Duration pollInterval() {
    return timings.pollInterval();
  }

  /** The largest message body accepted, in UTF-8 bytes. */
  public int maxMessageBytes() {
    return limits.maxMessageBytes();
  }

  /** How long to keep retrying a busy store. */
  public Duration storeTimeout() {
    return timings.storeTimeout();
  }

  /** Where the server writes its log lines. */
  public PrintStream log() {
    return log;
  }

  /** Whether each delivery gets a log line (connects and disconnects always do). */
  public boolean logDeliveries() {
    return logDeliveries;
  }

  /** How clients authenticate. */
  public ServerAuth auth() {
    return access.auth();
  }

  /** The SHA-256 of the team secret, for {@link ServerAuth#SHARED_SECRET}; never the secret. */
  byte[] sharedSecretHash() {
    return access.sharedSecretHash();
  }

  /** Whether a non-loopback host may listen without TLS. */
  public boolean allowPlaintext() {
    return network.allowPlaintext();
  }

  /** The {@code Origin} values whose upgrades are accepted (lower case); others get 403. */
  public Set<String> allowedOrigins() {
    return access.allowedOrigins();
  }

  /** The allowed address ranges, as given; empty when every address may connect. */
  public List<String> allow() {
    return access.allow().stream().map(AddressRange::toString).toList();
  }

  List<AddressRange> allowRanges() {
    return access.allow();
  }

  /** Whether the server speaks TLS ({@code wss://}). */
  public boolean tls() {
    return network.tls();
  }

  KeyStore tlsKeyStore() {
    return network.tlsKeyStore();
  }

  char[] tlsKeyPassword() {
    return network.tlsKeyPassword();
  }

  /**
   * Open connections allowed from one remote address. Loopback peers (local clients, an SSH tunnel,
   * a proxy on this machine, which all share one address) are exempt unless the limit was set
   * explicitly.
   */
  public int maxConnectionsPerAddress() {
    return limits.maxConnectionsPerAddress();
  }

  /** The connection limit for one peer address. */
  int connectionLimit(InetAddress address) {
    return limits.connectionLimit(address);
  }

  /**
   * Frames per second a connection may send on average; it may burst to ten times this. Loopback
   * peers are exempt unless the limit was set explicitly.
   */
  public int maxFramesPerSecond() {
    return limits.maxFramesPerSecond();
  }

  /** The frame rate limit for a connection from {@code address}, or 0 for none. */
  int frameLimit(InetAddress address) {
    return limits.frameLimit(address);
  }

  /**
   * Bytes of frames the server may hold for one connection that its peer has not taken yet. A
   * connection over it is closed with 1008 and reason {@code slow-consumer}; pushes of new messages
   * pause (they stay in the store) while a quarter of it is queued.
   */
  public long maxQueuedBytes() {
    return limits.maxQueuedBytes();
  }

  /** The loop guard's limit for threads without one of their own; 0: off. */
  public int loopLimit() {
    return loopLimit;
  }

  /** How often the security counters are logged when they changed (and once at stop). */
  public Duration statsInterval() {
    return timings.statsInterval();
  }

  @Override
  public String toString() {
    return "ServerOptions{home="
        + home
        + (database == null ? "" : ", database=" + database.safeUrl())
        + ", "
        + network
        + ", "
        + access
        + ", "
        + timings
        + ", "
        + limits
        + ", loopLimit="
        + loopLimit
        + "}";
  }

  /**
   * Makes {@link ServerOptions}. Not thread-safe. Every setter rejects a bad value at once (the
   * rules live with the group the option belongs to); {@link #build()} refuses bad combinations.
   */
  public static final class Builder {
    private Path home;
    private Database database;
    private PrintStream log = System.err;
    private boolean logDeliveries = true;
    private int loopLimit = Options.DEFAULT_LOOP_LIMIT;
    private final ServerNetwork.Builder network = new ServerNetwork.Builder();
    private final ServerAccess.Builder access = new ServerAccess.Builder();
    private final ServerTimings.Builder timings = new ServerTimings.Builder();
    private final ServerLimits.Builder limits = new ServerLimits.Builder();

    private Builder() {}

    /**
     * Takes the data home from {@code AGENT_MSG_HOME}, else {@code HOME}, and the loop guard's
     * limit from {@code AGENT_MSG_LOOP_LIMIT}, like the CLI.
     */
    public Builder environment(Map<String, String> env) {
      Options options = Options.builder().environment(env).build();
      this.home = options.home();
      this.loopLimit = options.loopLimit();
      String url = env.get(Options.ENV_DB);
      if (url != null && !url.isBlank()) {
        String file = env.get(Options.ENV_DB_PASSWORD_FILE);
        database(url.trim(), file == null || file.isBlank() ? null : Path.of(file));
      }
      return this;
    }

    /**
     * A PostgreSQL database to share with other servers ({@code jdbc:postgresql://...}) and the
     * file holding its password (null: in the URL, or none); a null URL means the data home's H2
     * file.
     *
     * @throws IllegalArgumentException if the URL is not a PostgreSQL JDBC URL, or the file cannot
     *     be read
     */
    public Builder database(String url, Path passwordFile) {
      this.database = url == null ? null : Database.parse(url, passwordFile);
      return this;
    }

    /** The loop guard's limit: 0 (off), or 2 to {@value Options#MAX_LOOP_LIMIT}. */
    public Builder loopLimit(int limit) {
      this.loopLimit = Options.Builder.parseLoopLimit("loopLimit", Integer.toString(limit));
      return this;
    }

    public Builder home(Path home) {
      this.home = Objects.requireNonNull(home, "home").toAbsolutePath().normalize();
      return this;
    }

    /**
     * The address to listen on. Anything but loopback lets other machines connect, so {@link
     * #build()} then requires TLS (or {@link #allowPlaintext}) and an auth mode other than {@link
     * ServerAuth#NONE}.
     *
     * @throws AgentMsgException with code {@code bad-host} if it does not resolve
     */
    public Builder host(String host) {
      network.host(host);
      return this;
    }

    /** The port: 0 (any free port) to 65535. */
    public Builder port(int port) {
      network.port(port);
      return this;
    }

    /** The idle timeout of a connection: 1 s to 1 hour. */
    public Builder idleTimeout(Duration timeout) {
      timings.idleTimeout(timeout);
      return this;
    }

    /** Unacknowledged pushes per connection: 1 to 100,000. */
    public Builder maxInFlight(int count) {
      limits.maxInFlight(count);
      return this;
    }

    /** The safety-net re-check interval: 10 ms to 1 hour. */
    public Builder pollInterval(Duration interval) {
      timings.pollInterval(interval);
      return this;
    }

    /** The largest message body accepted: 1 to 1,000,000 bytes of UTF-8. */
    public Builder maxMessageBytes(int bytes) {
      limits.maxMessageBytes(bytes);
      return this;
    }

    /** How long to retry a busy store: 0 to 10 minutes. */
    public Builder storeTimeout(Duration timeout) {
      timings.storeTimeout(timeout);
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

    /** Per-agent tokens (the default). */
    public Builder tokenAuth() {
      access.tokenAuth();
      return this;
    }

    /**
     * A shared team secret: the first line of {@code file}, at least 16 characters. Only its
     * SHA-256 is kept.
     *
     * @throws AgentMsgException with code {@code bad-token-file} if it cannot be read or is weak
     */
    public Builder sharedSecretFile(Path file) {
      access.sharedSecretFile(file);
      return this;
    }

    /** A shared team secret given directly (16-512 printable characters, no spaces). */
    public Builder sharedSecret(String secret) {
      access.sharedSecret(secret);
      return this;
    }

    /**
     * No authentication: any client may act as any agent. {@link #build()} allows it on loopback.
     */
    public Builder noAuth() {
      access.noAuth();
      return this;
    }

    /** Lets a non-loopback host listen without TLS: a TLS proxy or a VPN protects the network. */
    public Builder allowPlaintext(boolean allowPlaintext) {
      network.allowPlaintext(allowPlaintext);
      return this;
    }

    /**
     * Accepts upgrades from browser pages of {@code origin} (e.g. {@code https://app.example}).
     * Repeatable. Requests without an {@code Origin} header (every non-browser client) are not
     * affected.
     */
    public Builder allowOrigin(String origin) {
      access.allowOrigin(origin);
      return this;
    }

    /**
     * Accepts connections only from these ranges: a comma-separated list of CIDRs or addresses,
     * IPv4 or IPv6. Repeatable; with no call every address may connect.
     */
    public Builder allow(String ranges) {
      access.allow(ranges);
      return this;
    }

    /**
     * Serves TLS with the certificate chain in {@code certPem} (server certificate first) and the
     * unencrypted PKCS#8 private key in {@code keyPem}.
     *
     * @throws AgentMsgException with code {@code bad-tls} saying what is wrong with the files
     */
    public Builder tls(Path certPem, Path keyPem) {
      network.tls(certPem, keyPem);
      return this;
    }

    /**
     * Serves TLS with the key in a PKCS#12 keystore.
     *
     * @throws AgentMsgException with code {@code bad-tls} if it cannot be read with {@code
     *     password}
     */
    public Builder tlsKeyStore(Path pkcs12, char[] password) {
      network.tlsKeyStore(pkcs12, password);
      return this;
    }

    /**
     * Open connections allowed from one address: 1 to 100,000 (default 64, loopback peers exempt;
     * set explicitly, it applies to loopback peers too).
     */
    public Builder maxConnectionsPerAddress(int count) {
      limits.maxConnectionsPerAddress(count);
      return this;
    }

    /**
     * Average frames per second per connection (bursts of ten times that): 1 to 1,000,000 (default
     * 1,000, loopback peers exempt; set explicitly, it applies to loopback peers too).
     */
    public Builder maxFramesPerSecond(int frames) {
      limits.maxFramesPerSecond(frames);
      return this;
    }

    /**
     * Bytes queued for one connection and not yet taken by its peer before it is closed as a slow
     * consumer: 16 MiB (two of the largest read answers) to 4 GiB; default 32 MiB.
     */
    public Builder maxQueuedBytes(long bytes) {
      limits.maxQueuedBytes(bytes);
      return this;
    }

    /** How often changed security counters are logged: 1 s to 1 day. */
    public Builder statsInterval(Duration interval) {
      timings.statsInterval(interval);
      return this;
    }

    /**
     * Makes the options.
     *
     * @throws AgentMsgException with code {@code insecure-host} for a non-loopback host without
     *     authentication, or without TLS and without {@link #allowPlaintext}
     */
    public ServerOptions build() {
      ServerNetwork built = network.build();
      built.requireProtected(access.auth());
      return new ServerOptions(this, built);
    }
  }
}
