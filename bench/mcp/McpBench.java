package agentmsg.bench.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.LoggingMessageNotification;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tool-call latency of {@code agent-msg mcp}, measured the way an agent's client sees it: two real
 * servers ({@code bin/agent-msg mcp --agent alice|bob}) in a temporary data home, driven over stdio
 * by the MCP SDK's client. Once both are started it times, per call, request written -> response
 * read: {@code send} (stored and synced to disk), {@code inbox}, {@code list_agents}, and the
 * end-to-end hand-over: alice's {@code send} call starting -> bob's client receiving the new-mail
 * notification of his server (store, mirror file, inbox watch, notification over stdio).
 *
 * <p>Usage: {@code bench/mcp/run [--sends N] [--notifications N]}.
 */
public final class McpBench {
  private McpBench() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(System.getProperty("agentmsg.root", ".")).toAbsolutePath().normalize();
    int sends = intOption(args, "--sends", 1000);
    int notifications = intOption(args, "--notifications", 100);
    Path home = Files.createTempDirectory("agent-msg-mcp-bench");
    BlockingQueue<Long> announcements = new LinkedBlockingQueue<>();
    List<StdioClientTransport> servers = new ArrayList<>();
    try (McpSyncClient alice = connect(root, home, "alice", null, servers);
        McpSyncClient bob =
            connect(root, home, "bob", note -> announcements.add(System.nanoTime()), servers)) {
      Map<String, Object> sendArgs = Map.of("to", "bob", "message", "benchmark message");
      for (int i = 0; i < 200; i++) {
        call(alice, "send", sendArgs);
        call(bob, "inbox", Map.of());
      }
      List<Long> send = new ArrayList<>();
      List<Long> inbox = new ArrayList<>();
      List<Long> list = new ArrayList<>();
      for (int i = 0; i < sends; i++) {
        send.add(timed(alice, "send", sendArgs));
        if (i % 10 == 9) {
          inbox.add(timed(bob, "inbox", Map.of()));
          list.add(timed(alice, "list_agents", Map.of()));
        }
      }
      call(bob, "inbox", Map.of());
      // Bob's server announces each new message; its watch is always on, so no race to wait for.
      announcements.clear();
      List<Long> announced = new ArrayList<>();
      for (int i = 0; i < notifications; i++) {
        long start = System.nanoTime();
        call(alice, "send", sendArgs);
        Long at = announcements.poll(60, TimeUnit.SECONDS);
        if (at == null) {
          throw new IllegalStateException("no announcement within 60 s");
        }
        announced.add(at - start);
        if (i % 10 == 9) {
          call(bob, "inbox", Map.of());
        }
      }
      System.out.println("## agent-msg mcp: tool-call latency (" + describeMachine() + ")");
      System.out.println();
      System.out.println("| call | n | median | p90 | p99 | min | max |");
      System.out.println("|---|---|---|---|---|---|---|");
      row("send (round trip, synced to disk)", send);
      row("inbox (10 unread, marks read)", inbox);
      row("list_agents", list);
      row("send call -> recipient's new-mail notification", announced);
    } finally {
      // The servers exit once their stdin is closed; the home is theirs until then.
      for (StdioClientTransport server : servers) {
        server.awaitForExit();
      }
      deleteTree(home);
    }
  }

  private static McpSyncClient connect(
      Path root,
      Path home,
      String agent,
      Consumer<LoggingMessageNotification> logs,
      List<StdioClientTransport> servers) {
    ServerParameters parameters =
        ServerParameters.builder(root.resolve("bin/agent-msg").toString())
            .args("mcp", "--agent", agent)
            .env(Map.of("AGENT_MSG_HOME", home.toString()))
            .build();
    StdioClientTransport transport =
        new StdioClientTransport(parameters, McpJsonDefaults.getMapper());
    servers.add(transport);
    McpClient.SyncSpec spec =
        McpClient.sync(transport)
            .requestTimeout(Duration.ofSeconds(120))
            .initializationTimeout(Duration.ofSeconds(120));
    if (logs != null) {
      spec.loggingConsumer(logs);
    }
    McpSyncClient client = spec.build();
    client.initialize();
    return client;
  }

  private static long timed(McpSyncClient client, String tool, Map<String, Object> arguments) {
    long start = System.nanoTime();
    call(client, tool, arguments);
    return System.nanoTime() - start;
  }

  private static void call(McpSyncClient client, String tool, Map<String, Object> arguments) {
    CallToolResult result =
        client.callTool(CallToolRequest.builder(tool).arguments(arguments).build());
    if (Boolean.TRUE.equals(result.isError())) {
      throw new IllegalStateException(tool + ": " + ((TextContent) result.content().get(0)).text());
    }
  }

  private static void row(String name, List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %s | %s | %s | %s | %s |%n",
        name,
        sorted.size(),
        ms(percentile(sorted, 50)),
        ms(percentile(sorted, 90)),
        ms(percentile(sorted, 99)),
        ms(sorted.get(0)),
        ms(sorted.get(sorted.size() - 1)));
  }

  private static long percentile(List<Long> sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
  }

  private static String describeMachine() {
    double[] load = new double[1];
    try {
      load[0] = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      load[0] = -1;
    }
    return Runtime.getRuntime().availableProcessors()
        + " cores, Java "
        + System.getProperty("java.version")
        + ", load "
        + load[0];
  }

  private static int intOption(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(Collections.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
