package agentmsg.cli;

import agentmsg.AgentMsgException;
import agentmsg.DataHome;
import agentmsg.Options;
import agentmsg.RemoteMessenger;
import agentmsg.internal.security.TokenFiles;
import agentmsg.internal.security.Tokens;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.Option;

/**
 * The options every client of the server shares: {@code -u/--url} (else {@code AGENT_MSG_URL}, else
 * {@code ws://127.0.0.1:18790}), repeatable {@code --header "name: value"}, {@code --token-file}
 * (else {@code AGENT_MSG_TOKEN}, else the agent's token in the data home) and {@code --ca}.
 */
final class ServerUrl {
  /** The environment variable that can carry a token (or a team secret). */
  static final String ENV_TOKEN = "AGENT_MSG_TOKEN";

  private ServerUrl() {}

  /** The upgrade headers to send, and what to say if the server answers 401. */
  record Credentials(Map<String, String> headers, String unauthorizedHint) {}

  static Option tokenFileOption() {
    return Command.value(
        null,
        "token-file",
        "file",
        "File holding the token to send (default: AGENT_MSG_TOKEN, else the agent's own token"
            + " in the data home)");
  }

  static Option caOption() {
    return Command.value(
        null, "ca", "pem", "For wss://: trust this certificate (PEM; e.g. a self-signed server's)");
  }

  /** The {@code --ca} file, or null. */
  static Path ca(Invocation invocation) {
    String value = invocation.line().getOptionValue("ca");
    if (value == null) {
      return null;
    }
    Path file = invocation.path(value);
    if (!Files.isReadable(file)) {
      throw new UsageException("--ca file " + file + " cannot be read");
    }
    return file;
  }

  /**
   * The upgrade headers for acting as {@code agent}: the {@code --header} values, and unless they
   * or the URL already carry a credential, {@code Authorization: Bearer} with the token from {@code
   * --token-file}, else {@code AGENT_MSG_TOKEN}, else {@code tokens/<agent>.token} in the data
   * home. For a server on this machine an agent without a token gets one, as {@code register}
   * would.
   */
  /**
   * The server (or servers, tried in order) the invocation names, signed in to with {@code
   * credentials}, as the library takes it.
   */
  static RemoteMessenger.Server server(Invocation invocation, Credentials credentials) {
    return new RemoteMessenger.Server(
        urls(invocation), credentials.headers(), credentials.unauthorizedHint(), ca(invocation));
  }

  static Credentials credentials(Invocation invocation, String agent, URI url) {
    Map<String, String> headers = headers(invocation);
    for (String name : headers.keySet()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals("authorization") || lower.equals("x-agent-token")) {
        return new Credentials(headers, "the server did not accept the --header credential");
      }
    }
    String query = url.getRawQuery();
    if (query != null && ("&" + query).contains("&token=")) {
      return new Credentials(headers, "the server did not accept the token in the URL");
    }
    Options options = invocation.options(agent);
    if (options.storeHost()) {
      // The next such call is then answered by the host's warm JVM.
      DataHome.startHost(options.home());
    }
    String fileOption = invocation.line().getOptionValue("token-file");
    if (fileOption != null) {
      Path file = invocation.path(fileOption);
      String token =
          TokenFiles.read(file, invocation::warn)
              .orElseThrow(() -> new AgentMsgException("bad-token-file", "no token file " + file));
      return bearer(headers, token, "the server did not accept the token in " + file);
    }
    String fromEnv = invocation.env().get(ENV_TOKEN);
    if (fromEnv != null && !fromEnv.isBlank()) {
      if (!Tokens.isWellFormed(fromEnv.strip())) {
        throw new AgentMsgException(
            "bad-token", ENV_TOKEN + " does not hold a token (16-512 printable characters)");
      }
      return bearer(headers, fromEnv.strip(), "the server did not accept " + ENV_TOKEN);
    }
    Path home = invocation.options(agent).home();
    Path file = TokenFiles.file(home, agent);
    Optional<String> token = TokenFiles.read(file, invocation::warn);
    if (token.isEmpty() && isLoopback(url)) {
      try (DataHome dataHome = DataHome.open(home, invocation.options(agent).storeTimeout())) {
        dataHome.tokens(invocation::warn).ensure(agent);
      }
      token = TokenFiles.read(file, invocation::warn);
    }
    String elsewhere =
        "on the server's machine run 'agent-msg token show "
            + agent
            + "', then here 'agent-msg token set "
            + agent
            + " -' (or pass --token-file, or set "
            + ENV_TOKEN
            + ")";
    if (token.isEmpty()) {
      return new Credentials(
          headers, "no token for agent '" + agent + "' in " + file + "; " + elsewhere);
    }
    return bearer(
        headers,
        token.get(),
        "the server did not accept the token of '"
            + agent
            + "' in "
            + file
            + " (rotated or revoked? see 'agent-msg token show "
            + agent
            + "'; for a remote server, "
            + elsewhere
            + ")");
  }

  private static Credentials bearer(Map<String, String> headers, String token, String hint) {
    Map<String, String> withToken = new LinkedHashMap<>(headers);
    withToken.put("Authorization", "Bearer " + token);
    return new Credentials(withToken, hint);
  }

  private static boolean isLoopback(URI url) {
    try {
      return InetAddress.getByName(url.getHost()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  static Option urlOption() {
    return Command.value(
        "u",
        "url",
        "url",
        "Server URL, or several separated by commas, tried in order (default: AGENT_MSG_URL, else "
            + RemoteMessenger.Server.DEFAULT_URL
            + ")");
  }

  static Option headerOption() {
    return Option.builder()
        .longOpt("header")
        .hasArg()
        .argName("name: value")
        .desc("HTTP header for the WebSocket upgrade, e.g. for a proxy (repeatable)")
        .get();
  }

  /** The (first) server URL the invocation names. */
  static URI url(Invocation invocation) {
    return urls(invocation).get(0);
  }

  /** The server URLs the invocation names: one, or several separated by commas. */
  static List<URI> urls(Invocation invocation) {
    String text = invocation.line().getOptionValue("url");
    if (text == null) {
      text = invocation.env().get(Options.ENV_URL);
    }
    if (text == null || text.isBlank()) {
      text = RemoteMessenger.Server.DEFAULT_URL;
    }
    try {
      return RemoteMessenger.Server.parseUrls(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The {@code --header} values, in order. */
  static Map<String, String> headers(Invocation invocation) {
    Map<String, String> headers = new LinkedHashMap<>();
    String[] values = invocation.line().getOptionValues("header");
    if (values != null) {
      for (String value : values) {
        try {
          Map.Entry<String, String> header = RemoteMessenger.Server.parseHeader(value);
          headers.put(header.getKey(), header.getValue());
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
      }
    }
    return headers;
  }
}
