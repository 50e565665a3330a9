package agentmsg.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Properties;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** All help text: the overview and each command's usage. */
final class Usage {
  private Usage() {}

  static void overview(PrintStream out, Collection<Command> commands) {
    out.println("agent-msg " + version() + ": messages between AI coding agents");
    out.println();
    out.println("usage: agent-msg <command> [arguments] [options]");
    out.println();
    out.println("Commands:");
    int width = 0;
    for (Command command : commands) {
      width = Math.max(width, command.name().length() + 1 + command.arguments().length());
    }
    for (Command command : commands) {
      String head = command.name() + " " + command.arguments();
      out.printf("  %-" + width + "s  %s%n", head, command.summary());
    }
    out.println();
    out.println("Every command takes --help and --json.");
    out.println("Identity: -s/--from, else AGENT_MSG_AGENT, else the host name.");
    out.println("Data home: AGENT_MSG_HOME, else ~/.agent-msg.");
    out.println("Exit codes: 0 ok, 1 failed, 2 usage error, 3 timed out with nothing to report.");
  }

  static void command(PrintStream out, Command command, Options options) {
    String arguments = command.arguments().isEmpty() ? "" : " " + command.arguments();
    out.println("usage: agent-msg " + command.name() + arguments + " [options]");
    out.println();
    out.println(command.summary());
    if (!command.details().isEmpty()) {
      out.println();
      out.println(command.details());
    }
    out.println();
    out.println("Options:");
    int width = 0;
    for (Option option : options.getOptions()) {
      width = Math.max(width, head(option).length());
    }
    for (Option option : options.getOptions()) {
      out.printf("  %-" + width + "s  %s%n", head(option), option.getDescription());
    }
  }

  private static String head(Option option) {
    StringBuilder head = new StringBuilder();
    if (option.getOpt() != null) {
      head.append('-').append(option.getOpt());
      if (option.getLongOpt() != null) {
        head.append(", ");
      }
    } else {
      head.append("    ");
    }
    if (option.getLongOpt() != null) {
      head.append("--").append(option.getLongOpt());
    }
    if (option.hasArg()) {
      head.append(" <")
          .append(option.getArgName() == null ? "value" : option.getArgName())
          .append('>');
    }
    return head.toString();
  }

  static String version() {
    try (InputStream in = Usage.class.getResourceAsStream("version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
