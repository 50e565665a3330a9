package agentmsg.cli;

import agentmsg.AgentMsgException;
import agentmsg.internal.client.WireClient;
import agentmsg.internal.security.TokenFiles;
import agentmsg.internal.security.Tokens;
import agentmsg.server.console.ConsoleCodes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.cli.Options;

/**
 * {@code console}: prints a sign-in link to the console of the server on this data home. The link
 * holds a one-time code, minted into the data home (so only its owner can make one) and good for
 * two minutes; the page trades it for a session. For a server on another machine, the holder of its
 * team secret ({@code --token-file}, {@code AGENT_MSG_TOKEN} or an {@code Authorization} header)
 * has the server mint the code.
 */
final class ConsoleCommand extends Command {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([0-9a-f]{48})\"");
  private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"([a-z0-9-]+)\"");
  private static final Pattern MESSAGE =
      Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  @Override
  String name() {
    return "console";
  }

  @Override
  String arguments() {
    return "";
  }

  @Override
  String summary() {
    return "Print a sign-in link to the server's web console (watch and join conversations)";
  }

  @Override
  String details() {
    return "The link is good once, for "
        + ConsoleCodes.LIFETIME.toMinutes()
        + " minutes; the last line of stdout is the link (--json: {\"url\": ...}). A console"
        + " session reads every message of the data home, so only its owner (who runs this on"
        + " the server's machine) or, for a server elsewhere, the holder of its team secret"
        + " (--token-file or AGENT_MSG_TOKEN) can get a link.";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(ServerUrl.urlOption())
        .addOption(ServerUrl.headerOption())
        .addOption(
            value(
                null,
                "token-file",
                "file",
                "For a server on another machine: file holding its team secret (default:"
                    + " AGENT_MSG_TOKEN)"))
        .addOption(ServerUrl.caOption());
  }

  @Override
  int run(Invocation invocation) throws InterruptedException {
    invocation.allowPositional(0);
    URI server = ServerUrl.url(invocation);
    Map<String, String> headers = ServerUrl.headers(invocation);
    String secret = teamSecret(invocation, headers);
    String scheme = server.getScheme().equals("wss") ? "https" : "http";
    String base = scheme + "://" + server.getRawAuthority() + "/console/";
    if (secret != null || hasCredential(headers)) {
      return remote(invocation, base, headers, secret);
    }
    if (!listening(server)) {
      invocation
          .err()
          .println(
              "error[server-unavailable]: no agent-msg server answers at "
                  + server
                  + " (start one with: agent-msg server)");
      return ExitCodes.FAILED;
    }
    Path home = invocation.options(null).home();
    print(invocation, base + "#code=" + ConsoleCodes.mint(home));
    return ExitCodes.OK;
  }

  /**
   * Asks the server to mint the code, proving the team secret: for a server whose data home is on
   * another machine. A per-agent token is refused there (403): a console reads every message.
   */
  private static int remote(
      Invocation invocation, String base, Map<String, String> headers, String secret)
      throws InterruptedException {
    Map<String, String> sent = new LinkedHashMap<>(headers);
    if (secret != null) {
      sent.put("Authorization", "Bearer " + secret);
    }
    WireClient.HttpAnswer answer;
    try (WireClient client = WireClient.start(ServerUrl.ca(invocation))) {
      answer = client.post(URI.create(base + "api/code"), sent, "{}", TIMEOUT);
    }
    Matcher code = CODE.matcher(answer.body());
    if (answer.status() == 200 && code.find()) {
      print(invocation, base + "#code=" + code.group(1));
      return ExitCodes.OK;
    }
    Matcher error = ERROR.matcher(answer.body());
    Matcher message = MESSAGE.matcher(answer.body());
    if (error.find() && message.find()) {
      invocation.err().println("error[" + error.group(1) + "]: " + message.group(1));
    } else {
      invocation
          .err()
          .println(
              "error[server-refused]: "
                  + base
                  + " answered HTTP "
                  + answer.status()
                  + " (an agent-msg server with a console? a proxy that wants a --header?)");
    }
    return ExitCodes.FAILED;
  }

  /** The team secret from {@code --token-file}, else {@code AGENT_MSG_TOKEN}, else null. */
  private static String teamSecret(Invocation invocation, Map<String, String> headers) {
    String fileOption = invocation.line().getOptionValue("token-file");
    if (fileOption != null) {
      Path file = invocation.path(fileOption);
      return TokenFiles.read(file, invocation::warn)
          .orElseThrow(() -> new AgentMsgException("bad-token-file", "no token file " + file));
    }
    String fromEnv = invocation.env().get(ServerUrl.ENV_TOKEN);
    if (fromEnv == null || fromEnv.isBlank() || hasCredential(headers)) {
      return null;
    }
    if (!Tokens.isWellFormed(fromEnv.strip())) {
      throw new AgentMsgException(
          "bad-token",
          ServerUrl.ENV_TOKEN + " does not hold a token (16-512 printable characters)");
    }
    return fromEnv.strip();
  }

  private static boolean hasCredential(Map<String, String> headers) {
    return headers.keySet().stream().anyMatch(name -> name.equalsIgnoreCase("authorization"));
  }

  private static void print(Invocation invocation, String url) {
    if (invocation.json()) {
      invocation.out().println("{\"url\":\"" + url + "\"}");
    } else {
      invocation
          .out()
          .println(
              "Open this link within "
                  + ConsoleCodes.LIFETIME.toMinutes()
                  + " minutes (it works once):");
      invocation.out().println(url);
    }
  }

  private static boolean listening(URI server) {
    int port =
        server.getPort() > 0 ? server.getPort() : server.getScheme().equals("wss") ? 443 : 80;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(server.getHost(), port), 2_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
