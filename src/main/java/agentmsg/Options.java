package agentmsg;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to open an {@link AgentMessenger}: the data home, who "I" am, and the limits. Immutable and
 * thread-safe; made by {@link #builder()}. Command-line flags and environment variables feed the
 * same builder, so the defaults below hold for both.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>home</td><td>{@code AGENT_MSG_HOME}, else {@code ~/.agent-msg}</td></tr>
 *   <tr><td>agent</td><td>{@code AGENT_MSG_AGENT}, else the host name</td></tr>
 *   <tr><td>pollInterval</td><td>2 s: the safety-net re-check when no file event arrives</td></tr>
 *   <tr><td>maxMessageBytes</td><td>1,000,000 bytes of UTF-8</td></tr>
 *   <tr><td>storeTimeout</td><td>60 s: how long to retry reaching a busy store</td></tr>
 *   <tr><td>storeHost</td><td>off ({@code AGENT_MSG_STORE_HOST}; the CLI turns it on): start a
 *   store host when this process opens the database itself</td></tr>
 *   <tr><td>loopLimit</td><td>30 ({@code AGENT_MSG_LOOP_LIMIT}; 0 turns the guard off): agent
 *   messages in a row a thread takes with no human in between before it is held</td></tr>
 * </table>
 */
public final class Options {
  /** Environment variable naming the data home. */
  public static final String ENV_HOME = "AGENT_MSG_HOME";

  /** Environment variable naming the agent this process acts as. */
  public static final String ENV_AGENT = "AGENT_MSG_AGENT";

  /** Environment variable naming the server URL. */
  public static final String ENV_URL = "AGENT_MSG_URL";

  /** Environment variable turning the store host on or off ({@code on} / {@code off}). */
  public static final String ENV_STORE_HOST = "AGENT_MSG_STORE_HOST";

  /** Environment variable setting the loop guard's default limit ({@link #loopLimit()}). */
  public static final String ENV_LOOP_LIMIT = "AGENT_MSG_LOOP_LIMIT";

  /**
   * A PostgreSQL JDBC URL that servers share ({@code --db}); read by the server and by the commands
   * that manage agents, never by the CLI's own mailbox, which stays on the data home's H2 file.
   */
  public static final String ENV_DB = "AGENT_MSG_DB";

  /** A file whose first line is the password of {@link #ENV_DB} ({@code --db-password-file}). */
  public static final String ENV_DB_PASSWORD_FILE = "AGENT_MSG_DB_PASSWORD_FILE";

  /** The loop guard's default limit. */
  public static final int DEFAULT_LOOP_LIMIT = 30;

  /** The highest loop guard limit. */
  public static final int MAX_LOOP_LIMIT = 1_000_000;

  /** The largest message body the store can hold, in UTF-8 bytes. */
  public static final int MAX_MESSAGE_BYTES_LIMIT = 1_000_000;

  private final Path home;
  private final String agent;
  private final Duration pollInterval;
  private final int maxMessageBytes;
  private final Duration storeTimeout;
  private final boolean storeHost;
  private final int loopLimit;
  private final Consumer<String> warningListener;
  private final String databaseUrl;
  private final Path databasePasswordFile;

  private Options(Builder builder) {
    this.home = builder.home != null ? builder.home : defaultHome(System.getProperty("user.home"));
    this.agent = builder.agent != null ? builder.agent : hostName(builder.hostNameHint);
    this.pollInterval = builder.pollInterval;
    this.maxMessageBytes = builder.maxMessageBytes;
    this.storeTimeout = builder.storeTimeout;
    this.storeHost = builder.storeHost;
    this.loopLimit = builder.loopLimit;
    this.warningListener = builder.warningListener;
    this.databaseUrl = builder.databaseUrl;
    this.databasePasswordFile = builder.databasePasswordFile;
  }

  /** A builder with every option at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder whose home and agent come from {@code AGENT_MSG_HOME} and {@code AGENT_MSG_AGENT}.
   */
  public static Builder fromEnvironment() {
    return builder().environment(System.getenv());
  }

  /** The data home: the database, and the inbox and outbox mirrors. Absolute. */
  public Path home() {
    return home;
  }

  /** The agent this messenger acts as: the sender of what it sends, the reader of its inbox. */
  public String agent() {
    return agent;
  }

  /** How often a waiting reader re-checks the store when no file event wakes it. */
  public Duration pollInterval() {
    return pollInterval;
  }

  /** The largest message body accepted, in UTF-8 bytes. */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** How long to keep retrying when the store is busy or its owning process has just died. */
  public Duration storeTimeout() {
    return storeTimeout;
  }

  /**
   * Whether a process that opens the database file itself also starts a store host ({@code
   * agent-msg host}): a background process that keeps the file open for the next processes, so that
   * they connect to it instead of opening it (most of a short CLI call's time). It exits after 10
   * minutes without connections.
   */
  public boolean storeHost() {
    return storeHost;
  }

  /**
   * The loop guard's limit for threads without one of their own: how many agent-to-agent sends in a
   * row a thread takes with no human's message in between; the last one holds it, and the next is
   * refused ({@link ThreadHeldException}). 0 turns the guard off.
   */
  public int loopLimit() {
    return loopLimit;
  }

  /**
   * Where problems found in the background go, e.g. a malformed file moved out of an inbox. The
   * default prints one line to standard error.
   */
  public Consumer<String> warningListener() {
    return warningListener;
  }

  /**
   * The PostgreSQL JDBC URL of a database shared by servers, or null: the data home's H2 file (the
   * default, and always for the CLI's own mailbox commands).
   */
  public String databaseUrl() {
    return databaseUrl;
  }

  /** The file holding {@link #databaseUrl}'s password, or null. */
  public Path databasePasswordFile() {
    return databasePasswordFile;
  }

  /** A builder holding this object's values, to derive a changed copy. */
  public Builder toBuilder() {
    return builder()
        .home(home)
        .agent(agent)
        .pollInterval(pollInterval)
        .maxMessageBytes(maxMessageBytes)
        .storeTimeout(storeTimeout)
        .storeHost(storeHost)
        .loopLimit(loopLimit)
        .warningListener(warningListener)
        .database(databaseUrl, databasePasswordFile);
  }

  @Override
  public String toString() {
    return "Options{home="
        + home
        + ", agent="
        + agent
        + ", pollInterval="
        + pollInterval
        + ", maxMessageBytes="
        + maxMessageBytes
        + ", storeTimeout="
        + storeTimeout
        + ", storeHost="
        + storeHost
        + ", loopLimit="
        + loopLimit
        + "}";
  }

  static Path defaultHome(String userHome) {
    return Path.of(userHome, ".agent-msg").toAbsolutePath();
  }

  /**
   * The host name without a DNS lookup where possible: {@code HOSTNAME}, then {@code
   * /etc/hostname}, then the resolver. Lower-cased and cut to the agent-name rule.
   */
  static String hostName(String hint) {
    String name = hint != null ? hint : System.getenv("HOSTNAME");
    if (name == null || name.isBlank()) {
      try {
        name = Files.readString(Path.of("/etc/hostname")).trim();
      } catch (Exception unreadable) {
        name = null;
      }
    }
    if (name == null || name.isBlank()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException unresolvable) {
        name = "localhost";
      }
    }
    String cleaned = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    cleaned = cleaned.replaceFirst("^\\.+", "");
    if (cleaned.length() > 64) {
      cleaned = cleaned.substring(0, 64);
    }
    return cleaned.isEmpty() ? "localhost" : cleaned;
  }

  /** Makes {@link Options}. Not thread-safe. Every setter rejects a bad value at once. */
  public static final class Builder {
    private Path home;
    private String agent;
    private String hostNameHint;
    private Duration pollInterval = Duration.ofSeconds(2);
    private int maxMessageBytes = MAX_MESSAGE_BYTES_LIMIT;
    private Duration storeTimeout = Duration.ofSeconds(60);
    private boolean storeHost;
    private int loopLimit = DEFAULT_LOOP_LIMIT;
    private Consumer<String> warningListener = warning -> System.err.println("warning: " + warning);
    private String databaseUrl;
    private Path databasePasswordFile;

    private Builder() {}

    /**
     * Takes {@code AGENT_MSG_HOME} and {@code AGENT_MSG_AGENT} from the given environment where
     * they are set and not blank, {@code HOME} for the default home, {@code HOSTNAME} for the
     * default agent, {@code AGENT_MSG_STORE_HOST} ({@code on} or {@code off}) and {@code
     * AGENT_MSG_LOOP_LIMIT} where set.
     *
     * @throws IllegalArgumentException if {@code AGENT_MSG_STORE_HOST} is neither, or {@code
     *     AGENT_MSG_LOOP_LIMIT} is not a limit {@link #loopLimit(int)} takes
     */
    public Builder environment(Map<String, String> env) {
      Objects.requireNonNull(env, "env");
      String envHome = env.get(ENV_HOME);
      if (envHome != null && !envHome.isBlank()) {
        home(Path.of(envHome));
      } else if (env.get("HOME") != null && !env.get("HOME").isBlank()) {
        home(defaultHome(env.get("HOME")));
      }
      // Never this process's own variable: the environment given is the caller's.
      hostNameHint = env.getOrDefault("HOSTNAME", "");
      String envAgent = env.get(ENV_AGENT);
      if (envAgent != null && !envAgent.isBlank()) {
        agent(envAgent.trim());
      }
      String envStoreHost = env.get(ENV_STORE_HOST);
      if (envStoreHost != null && !envStoreHost.isBlank()) {
        switch (envStoreHost.trim().toLowerCase(Locale.ROOT)) {
          case "on", "true", "1" -> storeHost(true);
          case "off", "false", "0" -> storeHost(false);
          default ->
              throw new IllegalArgumentException(
                  ENV_STORE_HOST + " must be on or off, was '" + envStoreHost + "'");
        }
      }
      String envLoopLimit = env.get(ENV_LOOP_LIMIT);
      if (envLoopLimit != null && !envLoopLimit.isBlank()) {
        loopLimit(parseLoopLimit(ENV_LOOP_LIMIT, envLoopLimit));
      }
      return this;
    }

    /** The data home; made absolute. */
    public Builder home(Path home) {
      this.home = Objects.requireNonNull(home, "home").toAbsolutePath().normalize();
      return this;
    }

    /**
     * The agent to act as.
     *
     * @throws InvalidAgentNameException if the name breaks the naming rule
     */
    public Builder agent(String agent) {
      this.agent = AgentNames.requireValid(agent);
      return this;
    }

    /** The safety-net re-check interval of waiting readers: 10 ms to 1 hour. */
    public Builder pollInterval(Duration interval) {
      this.pollInterval =
          requireBetween("pollInterval", interval, Duration.ofMillis(10), Duration.ofHours(1));
      return this;
    }

    /** The largest message body accepted: 1 to 1,000,000 bytes of UTF-8. */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1 || bytes > MAX_MESSAGE_BYTES_LIMIT) {
        throw new IllegalArgumentException(
            "maxMessageBytes must be 1 to " + MAX_MESSAGE_BYTES_LIMIT + ", was " + bytes);
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

    /** Whether to start a store host when this process opens the database itself. */
    public Builder storeHost(boolean on) {
      this.storeHost = on;
      return this;
    }

    /**
     * The loop guard's default limit: 0 (off), or 2 to {@value Options#MAX_LOOP_LIMIT} agent
     * messages in a row.
     */
    public Builder loopLimit(int limit) {
      if (limit != 0 && (limit < 2 || limit > MAX_LOOP_LIMIT)) {
        throw new IllegalArgumentException(
            "loopLimit must be 0 (off) or 2 to " + MAX_LOOP_LIMIT + ", was " + limit);
      }
      this.loopLimit = limit;
      return this;
    }

    /**
     * A PostgreSQL database shared by servers ({@code jdbc:postgresql://...}) and the file with its
     * password (or null: in the URL, or none); a null URL means the data home's H2 file.
     *
     * @throws IllegalArgumentException if the URL is not a PostgreSQL JDBC URL
     */
    public Builder database(String url, Path passwordFile) {
      if (url != null && !url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "--db takes a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database?user=...)");
      }
      this.databaseUrl = url;
      this.databasePasswordFile = passwordFile;
      return this;
    }

    /** Receives warnings about problems found in the background. */
    public Builder warningListener(Consumer<String> listener) {
      this.warningListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Options build() {
      return new Options(this);
    }

    /**
     * A loop guard limit as text (an environment variable or a flag named {@code name}).
     *
     * @throws IllegalArgumentException if it is not 0 or 2 to {@value Options#MAX_LOOP_LIMIT}
     */
    public static int parseLoopLimit(String name, String text) {
      try {
        int limit = Integer.parseInt(text.trim());
        if (limit == 0 || (limit >= 2 && limit <= MAX_LOOP_LIMIT)) {
          return limit;
        }
      } catch (NumberFormatException notNumber) {
        // Said below.
      }
      throw new IllegalArgumentException(
          name + " must be 0 (off) or 2 to " + MAX_LOOP_LIMIT + ", was '" + text + "'");
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
