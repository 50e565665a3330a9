package agentmsg.server;

import agentmsg.AgentMsgException;
import agentmsg.Options;
import agentmsg.internal.security.Pem;
import agentmsg.internal.security.Tokens;
import agentmsg.internal.store.Database;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
 *   <tr><td>auth</td><td>{@link Auth#TOKENS}: per-agent tokens from the data home</td></tr>
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
 * <p>{@link Builder#build()} refuses a non-loopback host with {@link Auth#NONE}, and without TLS
 * unless {@link Builder#allowPlaintext} says a proxy or VPN protects the network.
 */
public final class ServerOptions {
  /** The port the original tool used, and ours by default. */
  public static final int DEFAULT_PORT = 18790;

  /** The host bound by default: this machine only. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** The default of {@link #maxQueuedBytes}: 32 MiB. */
  public static final long DEFAULT_MAX_QUEUED_BYTES = 32L << 20;

  /** The smallest {@link #maxQueuedBytes}: 16 MiB, room for the largest read answer. */
  public static final long MIN_MAX_QUEUED_BYTES = 16L << 20;

  /** The realm of the {@code WWW-Authenticate} header of a 401. */
  public static final String REALM = "agent-msg";

  /** How clients prove who they are. */
  public enum Auth {
    /**
     * Per-agent tokens (the default): a connection carries the token of one agent, issued by {@code
     * register} into the data home, and can act only as that agent.
     */
    TOKENS,
    /**
     * A shared team secret: whoever has it may act as any agent (one per connection). Per-agent
     * tokens are accepted too.
     */
    SHARED_SECRET,
    /** No authentication: any client may act as any agent. Only on loopback. */
    NONE
  }

  private final Path home;
  private final Database database;
  private final String host;
  private final int port;
  private final Duration idleTimeout;
  private final int maxInFlight;
  private final Duration pollInterval;
  private final int maxMessageBytes;
  private final Duration storeTimeout;
  private final PrintStream log;
  private final boolean logDeliveries;
  private final Auth auth;
  private final byte[] sharedSecretHash;
  private final boolean allowPlaintext;
  private final Set<String> allowedOrigins;
  private final List<AddressRange> allow;
  private final KeyStore tlsKeyStore;
  private final char[] tlsKeyPassword;
  private final int maxConnectionsPerAddress;
  private final boolean limitLoopback;
  private final int maxFramesPerSecond;
  private final boolean rateLimitLoopback;
  private final long maxQueuedBytes;
  private final Duration statsInterval;
  private final int loopLimit;

  private ServerOptions(Builder builder) {
    this.home = builder.home != null ? builder.home : Options.builder().build().home();
    this.database = builder.database;
    this.host = builder.host;
    this.port = builder.port;
    this.idleTimeout = builder.idleTimeout;
    this.maxInFlight = builder.maxInFlight;
    this.pollInterval = builder.pollInterval;
    this.maxMessageBytes = builder.maxMessageBytes;
    this.storeTimeout = builder.storeTimeout;
    this.log = builder.log;
    this.logDeliveries = builder.logDeliveries;
    this.auth = builder.auth;
    this.sharedSecretHash = builder.sharedSecretHash;
    this.allowPlaintext = builder.allowPlaintext;
    this.allowedOrigins = Set.copyOf(builder.allowedOrigins);
    this.allow = List.copyOf(builder.allow);
    this.tlsKeyStore = builder.tlsKeyStore;
    this.tlsKeyPassword = builder.tlsKeyPassword;
    this.maxConnectionsPerAddress = builder.maxConnectionsPerAddress;
    this.limitLoopback = builder.limitLoopback;
    this.maxFramesPerSecond = builder.maxFramesPerSecond;
    this.rateLimitLoopback = builder.rateLimitLoopback;
    this.maxQueuedBytes = builder.maxQueuedBytes;
    this.statsInterval = builder.statsInterval;
    this.loopLimit = builder.loopLimit;
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

  /** How clients authenticate. */
  public Auth auth() {
    return auth;
  }

  /** The SHA-256 of the team secret, for {@link Auth#SHARED_SECRET}; never the secret. */
  byte[] sharedSecretHash() {
    return sharedSecretHash == null ? null : sharedSecretHash.clone();
  }

  /** Whether a non-loopback host may listen without TLS. */
  public boolean allowPlaintext() {
    return allowPlaintext;
  }

  /** The {@code Origin} values whose upgrades are accepted (lower case); others get 403. */
  public Set<String> allowedOrigins() {
    return allowedOrigins;
  }

  /** The allowed address ranges, as given; empty when every address may connect. */
  public List<String> allow() {
    return allow.stream().map(AddressRange::toString).toList();
  }

  List<AddressRange> allowRanges() {
    return allow;
  }

  /** Whether the server speaks TLS ({@code wss://}). */
  public boolean tls() {
    return tlsKeyStore != null;
  }

  KeyStore tlsKeyStore() {
    return tlsKeyStore;
  }

  char[] tlsKeyPassword() {
    return tlsKeyPassword;
  }

  /**
   * Open connections allowed from one remote address. Loopback peers (local clients, an SSH tunnel,
   * a proxy on this machine, which all share one address) are exempt unless the limit was set
   * explicitly.
   */
  public int maxConnectionsPerAddress() {
    return maxConnectionsPerAddress;
  }

  /** The connection limit for one peer address. */
  int connectionLimit(java.net.InetAddress address) {
    return address.isLoopbackAddress() && !limitLoopback
        ? Integer.MAX_VALUE
        : maxConnectionsPerAddress;
  }

  /**
   * Frames per second a connection may send on average; it may burst to ten times this. Loopback
   * peers are exempt unless the limit was set explicitly.
   */
  public int maxFramesPerSecond() {
    return maxFramesPerSecond;
  }

  /** The frame rate limit for a connection from {@code address}, or 0 for none. */
  int frameLimit(java.net.InetAddress address) {
    return address != null && address.isLoopbackAddress() && !rateLimitLoopback
        ? 0
        : maxFramesPerSecond;
  }

  /**
   * Bytes of frames the server may hold for one connection that its peer has not taken yet. A
   * connection over it is closed with 1008 and reason {@code slow-consumer}; pushes of new messages
   * pause (they stay in the store) while a quarter of it is queued.
   */
  public long maxQueuedBytes() {
    return maxQueuedBytes;
  }

  /** The loop guard's limit for threads without one of their own; 0: off. */
  public int loopLimit() {
    return loopLimit;
  }

  /** How often the security counters are logged when they changed (and once at stop). */
  public Duration statsInterval() {
    return statsInterval;
  }

  @Override
  public String toString() {
    return "ServerOptions{home="
        + home
        + (database == null ? "" : ", database=" + database.safeUrl())
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
        + ", auth="
        + auth
        + ", tls="
        + tls()
        + ", allowPlaintext="
        + allowPlaintext
        + ", allowedOrigins="
        + allowedOrigins
        + ", allow="
        + allow
        + ", maxConnectionsPerAddress="
        + maxConnectionsPerAddress
        + ", maxFramesPerSecond="
        + maxFramesPerSecond
        + ", maxQueuedBytes="
        + maxQueuedBytes
        + ", loopLimit="
        + loopLimit
        + "}";
  }

  /** Makes {@link ServerOptions}. Not thread-safe. Every setter rejects a bad value at once. */
  public static final class Builder {
    private Path home;
    private Database database;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private int maxInFlight = 1000;
    private Duration pollInterval = Duration.ofSeconds(2);
    private int maxMessageBytes = Options.MAX_MESSAGE_BYTES_LIMIT;
    private Duration storeTimeout = Duration.ofSeconds(30);
    private PrintStream log = System.err;
    private boolean logDeliveries = true;
    private boolean loopback = true;
    private Auth auth = Auth.TOKENS;
    private byte[] sharedSecretHash;
    private boolean allowPlaintext;
    private final Set<String> allowedOrigins = new LinkedHashSet<>();
    private final List<AddressRange> allow = new ArrayList<>();
    private KeyStore tlsKeyStore;
    private char[] tlsKeyPassword;
    private int maxConnectionsPerAddress = 64;
    private boolean limitLoopback;
    private int maxFramesPerSecond = 1000;
    private boolean rateLimitLoopback;
    private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
    private Duration statsInterval = Duration.ofSeconds(60);
    private int loopLimit = Options.DEFAULT_LOOP_LIMIT;

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
     * Auth#NONE}.
     *
     * @throws AgentMsgException with code {@code bad-host} if it does not resolve
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
      this.host = host;
      this.loopback = address.isLoopbackAddress();
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

    /** Per-agent tokens (the default). */
    public Builder tokenAuth() {
      this.auth = Auth.TOKENS;
      this.sharedSecretHash = null;
      return this;
    }

    /**
     * A shared team secret: the first line of {@code file}, at least 16 characters. Only its
     * SHA-256 is kept.
     *
     * @throws AgentMsgException with code {@code bad-token-file} if it cannot be read or is weak
     */
    public Builder sharedSecretFile(Path file) {
      String secret;
      try {
        secret = Files.readString(file, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new AgentMsgException(
            "bad-token-file", "cannot read the team secret file " + file + ": " + e);
      }
      if (!Tokens.isWellFormed(secret)) {
        throw new AgentMsgException(
            "bad-token-file",
            "the team secret in "
                + file
                + " must be 16-512 printable characters without spaces (make one with:"
                + " openssl rand -base64 32 > "
                + file.getFileName()
                + ")");
      }
      return sharedSecret(secret);
    }

    /** A shared team secret given directly (16-512 printable characters, no spaces). */
    public Builder sharedSecret(String secret) {
      if (!Tokens.isWellFormed(secret)) {
        throw new IllegalArgumentException(
            "the team secret must be 16-512 printable characters without spaces");
      }
      this.auth = Auth.SHARED_SECRET;
      this.sharedSecretHash = Tokens.hash(secret);
      return this;
    }

    /**
     * No authentication: any client may act as any agent. {@link #build()} allows it on loopback.
     */
    public Builder noAuth() {
      this.auth = Auth.NONE;
      this.sharedSecretHash = null;
      return this;
    }

    /** Lets a non-loopback host listen without TLS: a TLS proxy or a VPN protects the network. */
    public Builder allowPlaintext(boolean allowPlaintext) {
      this.allowPlaintext = allowPlaintext;
      return this;
    }

    /**
     * Accepts upgrades from browser pages of {@code origin} (e.g. {@code https://app.example}).
     * Repeatable. Requests without an {@code Origin} header (every non-browser client) are not
     * affected.
     */
    public Builder allowOrigin(String origin) {
      String normalized = Objects.requireNonNull(origin, "origin").strip().toLowerCase(Locale.ROOT);
      while (normalized.endsWith("/")) {
        normalized = normalized.substring(0, normalized.length() - 1);
      }
      if (!normalized.equals("null")) {
        try {
          URI uri = new URI(normalized);
          if (uri.getScheme() == null || uri.getHost() == null || uri.getRawPath().length() > 0) {
            throw new URISyntaxException(origin, "not scheme://host[:port]");
          }
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException(
              "--allow-origin takes scheme://host[:port] as a browser sends it (e.g."
                  + " https://app.example.com), was '"
                  + origin
                  + "'");
        }
      }
      allowedOrigins.add(normalized);
      return this;
    }

    /**
     * Accepts connections only from these ranges: a comma-separated list of CIDRs or addresses,
     * IPv4 or IPv6. Repeatable; with no call every address may connect.
     */
    public Builder allow(String ranges) {
      for (String range : ranges.split(",", -1)) {
        if (!range.isBlank()) {
          allow.add(AddressRange.parse(range));
        }
      }
      return this;
    }

    /**
     * Serves TLS with the certificate chain in {@code certPem} (server certificate first) and the
     * unencrypted PKCS#8 private key in {@code keyPem}.
     *
     * @throws AgentMsgException with code {@code bad-tls} saying what is wrong with the files
     */
    public Builder tls(Path certPem, Path keyPem) {
      char[] password = Tokens.generate().toCharArray(); // protects the in-memory copy only
      this.tlsKeyStore = Pem.keyStore(certPem, keyPem, password);
      this.tlsKeyPassword = password;
      return this;
    }

    /**
     * Serves TLS with the key in a PKCS#12 keystore.
     *
     * @throws AgentMsgException with code {@code bad-tls} if it cannot be read with {@code
     *     password}
     */
    public Builder tlsKeyStore(Path pkcs12, char[] password) {
      this.tlsKeyStore = Pem.pkcs12(pkcs12, password);
      this.tlsKeyPassword = password.clone();
      return this;
    }

    /**
     * Open connections allowed from one address: 1 to 100,000 (default 64, loopback peers exempt;
     * set explicitly, it applies to loopback peers too).
     */
    public Builder maxConnectionsPerAddress(int count) {
      if (count < 1 || count > 100_000) {
        throw new IllegalArgumentException(
            "maxConnectionsPerAddress must be 1 to 100000, was " + count);
      }
      this.maxConnectionsPerAddress = count;
      this.limitLoopback = true;
      return this;
    }

    /**
     * Average frames per second per connection (bursts of ten times that): 1 to 1,000,000 (default
     * 1,000, loopback peers exempt; set explicitly, it applies to loopback peers too).
     */
    public Builder maxFramesPerSecond(int frames) {
      if (frames < 1 || frames > 1_000_000) {
        throw new IllegalArgumentException(
            "maxFramesPerSecond must be 1 to 1000000, was " + frames);
      }
      this.maxFramesPerSecond = frames;
      this.rateLimitLoopback = true;
      return this;
    }

    /**
     * Bytes queued for one connection and not yet taken by its peer before it is closed as a slow
     * consumer: 16 MiB (two of the largest read answers) to 4 GiB; default 32 MiB.
     */
    public Builder maxQueuedBytes(long bytes) {
      if (bytes < MIN_MAX_QUEUED_BYTES || bytes > 4L << 30) {
        throw new IllegalArgumentException(
            "maxQueuedBytes must be "
                + MIN_MAX_QUEUED_BYTES
                + " to "
                + (4L << 30)
                + ", was "
                + bytes);
      }
      this.maxQueuedBytes = bytes;
      return this;
    }

    /** How often changed security counters are logged: 1 s to 1 day. */
    public Builder statsInterval(Duration interval) {
      this.statsInterval =
          requireBetween("statsInterval", interval, Duration.ofSeconds(1), Duration.ofDays(1));
      return this;
    }

    /**
     * Makes the options.
     *
     * @throws AgentMsgException with code {@code insecure-host} for a non-loopback host without
     *     authentication, or without TLS and without {@link #allowPlaintext}
     */
    public ServerOptions build() {
      if (!loopback && auth == Auth.NONE) {
        throw new AgentMsgException(
            "insecure-host",
            "--no-auth is refused with --host "
                + host
                + ": other machines could act as any agent. Keep the default per-agent tokens"
                + " (agent-msg token show <agent> on this machine, token set on the client) or"
                + " give a team secret with --token-file <file>");
      }
      if (!loopback && tlsKeyStore == null && !allowPlaintext) {
        throw new AgentMsgException(
            "insecure-host",
            "--host "
                + host
                + " is not a loopback address, and tokens would cross the network in plain"
                + " text; add --tls-cert <pem> --tls-key <pem> (or --tls-keystore <p12>), or"
                + " --allow-plaintext if a TLS proxy or VPN already protects the traffic");
      }
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
