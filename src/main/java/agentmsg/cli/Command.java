package agentmsg.cli;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** One {@code agent-msg} command: its name, its help, its options and what it does. */
abstract class Command {
  /** The word that selects it, e.g. {@code send}. */
  abstract String name();

  /** The arguments after the name, for the usage line, e.g. {@code <to> <message|->}. */
  abstract String arguments();

  /** One line saying what it does. */
  abstract String summary();

  /** Longer help printed under the usage line; empty when the summary says it all. */
  String details() {
    return "";
  }

  /** The options of this command, without the ones every command has. */
  abstract Options options();

  /**
   * Rewrites this command's arguments before they are parsed, for what the parser cannot express
   * (e.g. an option whose value is optional). Returns them unchanged by default.
   */
  String[] normalize(String[] args) {
    return args;
  }

  /** Runs the command; returns the exit code. */
  abstract int run(Invocation invocation) throws Exception;

  /**
   * Adds {@code --db} and {@code --db-password-file}: the commands that manage agents and the
   * server take a PostgreSQL database shared by servers instead of the data home's H2 file.
   */
  static Options withDatabase(Options options) {
    return options
        .addOption(
            value(
                null,
                "db",
                "jdbc-url",
                "A PostgreSQL database shared by servers, jdbc:postgresql://host:port/db?user=..."
                    + " (default: $AGENT_MSG_DB, else the data home's own H2 file)"))
        .addOption(
            value(
                null,
                "db-password-file",
                "file",
                "The file whose first line is the database's password"
                    + " (default: $AGENT_MSG_DB_PASSWORD_FILE, else the URL's own)"));
  }

  static Option flag(String shortName, String longName, String description) {
    return Option.builder(shortName).longOpt(longName).desc(description).get();
  }

  static Option value(String shortName, String longName, String argName, String description) {
    return Option.builder(shortName)
        .longOpt(longName)
        .hasArg()
        .argName(argName)
        .desc(description)
        .get();
  }
}
