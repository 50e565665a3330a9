package agentmsg.cli;

import agentmsg.Options;
import agentmsg.internal.client.WireClient;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.cli.Option;

/**
 * The options every client of the server shares: {@code -u/--url} (else {@code AGENT_MSG_URL}, else
 * {@code ws://127.0.0.1:18790}) and repeatable {@code --header "name: value"}.
 */
final class ServerUrl {
  private ServerUrl() {}

  static Option urlOption() {
    return Command.value(
        "u",
        "url",
        "url",
        "Server URL (default: AGENT_MSG_URL, else " + WireClient.DEFAULT_URL + ")");
  }

  static Option headerOption() {
    return Option.builder()
        .longOpt("header")
        .hasArg()
        .argName("name: value")
        .desc("HTTP header for the WebSocket upgrade, e.g. for a proxy (repeatable)")
        .get();
  }

  /** The server URL the invocation names. */
  static URI url(Invocation invocation) {
    String text = invocation.line().getOptionValue("url");
    if (text == null) {
      text = invocation.env().get(Options.ENV_URL);
    }
    if (text == null || text.isBlank()) {
      text = WireClient.DEFAULT_URL;
    }
    try {
      return WireClient.parseUrl(text);
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
          Map.Entry<String, String> header = WireClient.parseHeader(value);
          headers.put(header.getKey(), header.getValue());
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
      }
    }
    return headers;
  }
}
