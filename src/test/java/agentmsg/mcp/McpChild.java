package agentmsg.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.LoggingMessageNotification;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code agent-msg mcp} as a child JVM (the test classpath, C1 only) driven over stdio by the MCP
 * SDK's own client, and the tool calls and checks the MCP tests share.
 */
final class McpChild {
  private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

  private McpChild() {}

  /**
   * Starts {@code agent-msg mcp <mcpArguments>} with {@code environment} and an initialized client
   * of it; the caller closes the client.
   *
   * @param logs takes the server's MCP log messages, or null
   */
  static McpSyncClient start(
      List<String> mcpArguments,
      Map<String, String> environment,
      Consumer<LoggingMessageNotification> logs) {
    List<String> args = new ArrayList<>();
    args.add("-XX:TieredStopAtLevel=1");
    args.add("-XX:+UseSerialGC");
    args.add("-Dfile.encoding=UTF-8");
    args.add("-cp");
    args.add(System.getProperty("java.class.path"));
    args.add("agentmsg.cli.Main");
    args.add("mcp");
    args.addAll(mcpArguments);
    ServerParameters parameters =
        ServerParameters.builder(Path.of(System.getProperty("java.home"), "bin", "java").toString())
            .args(args)
            .env(environment)
            .build();
    McpClient.SyncSpec spec =
        McpClient.sync(new StdioClientTransport(parameters, McpJsonDefaults.getMapper()))
            .requestTimeout(Duration.ofSeconds(180))
            .initializationTimeout(Duration.ofSeconds(120));
    if (logs != null) {
      spec.loggingConsumer(logs);
    }
    McpSyncClient client = spec.build();
    try {
      client.initialize();
    } catch (RuntimeException e) {
      client.closeGracefully();
      throw e;
    }
    return client;
  }

  static CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
    return client.callTool(CallToolRequest.builder(tool).arguments(arguments).build());
  }

  static void assertError(CallToolResult result, String prefix) {
    assertThat(result.isError()).as(text(result)).isTrue();
    assertThat(text(result)).startsWith(prefix);
  }

  static String text(CallToolResult result) {
    return ((TextContent) result.content().get(0)).text();
  }

  /** Every {@code "id"} in a tool's JSON result, in order. */
  static List<String> ids(String json) {
    List<String> ids = new ArrayList<>();
    Matcher matcher = ID.matcher(json);
    while (matcher.find()) {
      ids.add(matcher.group(1));
    }
    return ids;
  }

  /** The first {@code "id"} in a tool's JSON result. */
  static String firstId(String json) {
    Matcher matcher = ID.matcher(json);
    assertThat(matcher.find()).as(json).isTrue();
    return matcher.group(1);
  }
}
