package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.AgentNames;
import agentmsg.DataHome;
import agentmsg.Options;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;

/** One run of one command: its parsed line, its streams and its environment. */
final class Invocation {
  private final CommandLine line;
  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final Path workingDirectory;

  Invocation(
      CommandLine line,
      InputStream in,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Path workingDirectory) {
    this.line = line;
    this.in = in;
    this.out = out;
    this.err = err;
    this.env = env;
    this.workingDirectory = workingDirectory;
  }

  /**
   * A path given on the command line, taken against the caller's working directory; one the file
   * system cannot name (a NUL in it) is a usage error.
   */
  Path path(String text) {
    return userValue(() -> workingDirectory.resolve(text).toAbsolutePath().normalize());
  }

  /**
   * What {@code parse} makes of a value the user gave (an option, an argument, a variable of the
   * environment). The API's parsers and builders reject a bad value with an {@link
   * IllegalArgumentException} naming it and what is accepted; only here is it known that the value
   * came from the user, so here it becomes a usage error with that message. Any other {@code
   * IllegalArgumentException} is a bug, and reported as one.
   */
  static <T> T userValue(Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  CommandLine line() {
    return line;
  }

  InputStream in() {
    return in;
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  Map<String, String> env() {
    return env;
  }

  boolean json() {
    return line.hasOption("json");
  }

  List<String> positional() {
    return line.getArgList();
  }

  /** Positional argument {@code index}, or null. */
  String positional(int index) {
    List<String> args = line.getArgList();
    return index < args.size() ? args.get(index) : null;
  }

  /** Fails with a usage error if more than {@code max} positional arguments were given. */
  void allowPositional(int max) {
    if (line.getArgList().size() > max) {
      throw new UsageException("unexpected argument '" + line.getArgList().get(max) + "'");
    }
  }

  /**
   * The messenger options for acting as {@code agent}, or, when it is null, as {@code -s/--from},
   * then {@code AGENT_MSG_AGENT}, then the host name.
   */
  Options options(String agent) {
    // Calls start a store host, unless AGENT_MSG_STORE_HOST=off says otherwise.
    Options.Builder builder =
        userValue(
            () -> Options.builder().storeHost(true).environment(env).warningListener(this::warn));
    String chosen = agent != null ? agent : line.getOptionValue("from");
    if (chosen != null) {
      builder.agent(AgentNames.requireValid(chosen));
    }
    if (line.hasOption("interval")) {
      builder.pollInterval(Duration.ofMillis(longValue("interval", 10, 3_600_000)));
    }
    return builder.build();
  }

  /**
   * Like {@link #options}, on the PostgreSQL database of {@code --db} (else {@code AGENT_MSG_DB})
   * where one is given: for the commands that manage agents, which {@link Command#withDatabase}
   * gives those options.
   */
  Options optionsWithDatabase(String agent) {
    String url = databaseUrl();
    if (url == null) {
      return options(agent);
    }
    Options.Builder builder =
        options(agent).toBuilder()
            // A store host keeps an H2 file open; a database server needs none.
            .storeHost(false);
    return userValue(() -> builder.database(url, databasePasswordFile())).build();
  }

  /** {@code --db}, else {@code AGENT_MSG_DB}, trimmed; null when neither is given. */
  String databaseUrl() {
    String url = line.getOptionValue("db", env.get(Options.ENV_DB));
    return url == null || url.isBlank() ? null : url.trim();
  }

  /** {@code --db-password-file}, else {@code AGENT_MSG_DB_PASSWORD_FILE}; null when neither. */
  Path databasePasswordFile() {
    String file = line.getOptionValue("db-password-file", env.get(Options.ENV_DB_PASSWORD_FILE));
    return file == null || file.isBlank() ? null : path(file);
  }

  /** A messenger on {@link #optionsWithDatabase}: for the commands that manage agents. */
  AgentMessenger managingMessenger(String agent) {
    return AgentMessenger.open(optionsWithDatabase(agent));
  }

  AgentMessenger messenger(String agent) {
    return AgentMessenger.open(options(agent));
  }

  /**
   * A messenger for a command that runs on ({@code poll}, {@code wait}): it starts no store host,
   * since while it owns the file the other calls connect through it anyway.
   */
  AgentMessenger longLivedMessenger(String agent) {
    return AgentMessenger.open(options(agent).toBuilder().storeHost(false).build());
  }

  /** The data home of {@code options}, for commands that care for it rather than message. */
  static DataHome dataHome(Options options) {
    return DataHome.open(options);
  }

  /** A whole-number option value within bounds, or a usage error naming the option. */
  long longValue(String option, long min, long max) {
    String text = line.getOptionValue(option);
    try {
      long value = Long.parseLong(text.trim());
      if (value < min || value > max) {
        throw new UsageException(
            "--" + option + " must be between " + min + " and " + max + ", was " + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + option + " takes a whole number, was '" + text + "'");
    }
  }

  /** A duration option given in (possibly fractional) seconds, or {@code fallback}. */
  Duration secondsValue(String option, Duration fallback, long maxSeconds) {
    String text = line.getOptionValue(option);
    if (text == null) {
      return fallback;
    }
    try {
      double seconds = Double.parseDouble(text.trim());
      if (!(seconds >= 0) || seconds > maxSeconds) {
        throw new UsageException(
            "--" + option + " must be between 0 and " + maxSeconds + " seconds, was " + text);
      }
      return Duration.ofNanos((long) (seconds * 1e9));
    } catch (NumberFormatException e) {
      throw new UsageException("--" + option + " takes a number of seconds, was '" + text + "'");
    }
  }

  void warn(String warning) {
    // A warning with a stable code comes as "[code] text" (the store's store-rewound).
    int end = warning.startsWith("[") ? warning.indexOf("] ") : -1;
    err.println(
        end > 0
            ? "warning" + warning.substring(0, end + 1) + ": " + warning.substring(end + 2)
            : "warning: " + warning);
    err.flush();
  }
}
