package agentmsg.cli;

import agentmsg.AgentNames;
import agentmsg.DataHome;
import agentmsg.InvalidMessageException;
import agentmsg.internal.security.AgentTokens;
import agentmsg.internal.security.TokenFiles;
import agentmsg.internal.security.Tokens;
import agentmsg.json.Timestamps;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.commons.cli.Options;

/**
 * {@code token show|rotate|set}: an agent's token for the WebSocket server. {@code register} issues
 * it into {@code tokens/<agent>.token} (0600); nothing prints it but {@code token show}.
 */
final class TokenCommand extends Command {
  @Override
  String name() {
    return "token";
  }

  @Override
  String arguments() {
    return "show|rotate [agent] | set <agent> <token|->";
  }

  @Override
  String summary() {
    return "Show, rotate or set an agent's token for the WebSocket server";
  }

  @Override
  String details() {
    return """
        show    prints the agent's token (issuing one if it was registered before tokens
                existed). Copy it to another machine with 'token set'.
        rotate  revokes the agent's token (live connections using it are closed within a
                minute) and writes a new one; prints where, not the token.
        set     stores a token issued elsewhere (for a remote server); '-' reads it from
                standard input, which keeps it out of the shell history.
        Tokens live in <data home>/tokens/<agent>.token, readable by you only; the store
        keeps only their SHA-256.""";
  }

  @Override
  Options options() {
    return withDatabase(
        new Options().addOption(value("s", "from", "name", "The agent, if none is given")));
  }

  @Override
  int run(Invocation invocation) throws IOException {
    String action = invocation.positional(0);
    if (action == null) {
      throw new UsageException("missing the action: show, rotate or set");
    }
    return switch (action) {
      case "show" -> show(invocation);
      case "rotate" -> rotate(invocation);
      case "set" -> set(invocation);
      default ->
          throw new UsageException("unknown action '" + action + "': use show, rotate or set");
    };
  }

  private int show(Invocation invocation) {
    invocation.allowPositional(2);
    agentmsg.Options options = invocation.optionsWithDatabase(invocation.positional(1));
    try (DataHome dataHome = Invocation.dataHome(options)) {
      AgentTokens tokens = dataHome.tokens(invocation::warn);
      String token = tokens.show(options.agent());
      if (invocation.json()) {
        invocation
            .out()
            .println(
                "{\"agent\":\""
                    + options.agent()
                    + "\",\"token\":"
                    + quote(token)
                    + ",\"file\":"
                    + quote(tokens.file(options.agent()).toString())
                    + "}");
      } else {
        invocation.out().println(token);
      }
    }
    return ExitCodes.OK;
  }

  private int rotate(Invocation invocation) {
    invocation.allowPositional(2);
    agentmsg.Options options = invocation.optionsWithDatabase(invocation.positional(1));
    try (DataHome dataHome = Invocation.dataHome(options)) {
      AgentTokens tokens = dataHome.tokens(invocation::warn);
      tokens.rotate(options.agent());
      Path file = tokens.file(options.agent());
      if (invocation.json()) {
        invocation
            .out()
            .println(
                "{\"agent\":\""
                    + options.agent()
                    + "\",\"file\":"
                    + quote(file.toString())
                    + ",\"rotatedAt\":\""
                    + Timestamps.format(Instant.now())
                    + "\"}");
      } else {
        invocation
            .out()
            .println(
                "Rotated the token of "
                    + options.agent()
                    + ": the old one is revoked; the new one is in "
                    + file);
      }
    }
    return ExitCodes.OK;
  }

  private int set(Invocation invocation) throws IOException {
    invocation.allowPositional(3);
    String agent = invocation.positional(1);
    String value = invocation.positional(2);
    if (agent == null || value == null) {
      throw new UsageException("token set takes <agent> <token|->");
    }
    AgentNames.requireValid(agent);
    String token = value;
    if (value.equals("-")) {
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(invocation.in(), StandardCharsets.UTF_8));
      String line = reader.readLine();
      token = line == null ? "" : line;
    }
    token = token.strip();
    if (!Tokens.isWellFormed(token)) {
      throw new InvalidMessageException(
          "invalid-token", "that is not a token: 16-512 printable characters without spaces");
    }
    agentmsg.Options options = invocation.optionsWithDatabase(agent);
    Path file = TokenFiles.file(options.home(), agent);
    TokenFiles.write(file, token, invocation::warn);
    String hash = Tokens.hashHex(token);
    try (DataHome dataHome = Invocation.dataHome(options)) {
      AgentTokens tokens = dataHome.tokens(invocation::warn);
      if (!tokens.isValidHex(hash) && tokens.hasValid(agent)) {
        invocation.warn(
            "a server on this data home knows another token for "
                + agent
                + "; connections to it from here will be refused (for a local server, use"
                + " 'token rotate' instead)");
      }
    }
    if (invocation.json()) {
      invocation
          .out()
          .println("{\"agent\":\"" + agent + "\",\"file\":" + quote(file.toString()) + "}");
    } else {
      invocation.out().println("Stored the token of " + agent + " in " + file);
    }
    return ExitCodes.OK;
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
