package agentmsg.mcp;

import agentmsg.AgentMsgException;
import agentmsg.Message;
import agentmsg.Messenger;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.LoggingLevel;
import io.modelcontextprotocol.spec.McpSchema.LoggingMessageNotification;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceResult;
import io.modelcontextprotocol.spec.McpSchema.Resource;
import io.modelcontextprotocol.spec.McpSchema.ResourcesUpdatedNotification;
import io.modelcontextprotocol.spec.McpSchema.TextResourceContents;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * One agent's mailbox as an MCP server over a pair of streams (the process's stdin and stdout): the
 * tools of {@link MailTools}, the unread inbox as the resource {@value #INBOX_URI}, and a logging
 * notification plus a resource-updated notification whenever new mail lands. Built on the official
 * MCP Java SDK, which only this package uses.
 *
 * <p>Everything written to {@code out} is protocol: diagnostics go to standard error, or to the
 * client as MCP log messages through {@link #log}. Thread-safe; {@link #close} stops it.
 */
public final class MailboxMcpServer implements AutoCloseable {
  /** The resource holding the agent's unread messages; reading it marks nothing read. */
  public static final String INBOX_URI = "agent-msg://inbox";

  private static final String LOGGER = "agent-msg";
  private static final Duration NOTIFY_TIMEOUT = Duration.ofSeconds(5);
  private static final int PREVIEW_CHARS = 200;

  private final Messenger mailbox;
  private final MailTools tools;
  private final LineGate.Answers answers = new LineGate.Answers();
  private final HandOver handOver = new HandOver(this::log, answers::answered);
  private final StdioServerTransportProvider transport;
  private final CountDownLatch inputClosed = new CountDownLatch(1);
  private final McpSyncServer server;

  private MailboxMcpServer(Messenger mailbox, InputStream in, OutputStream out, String version) {
    this.mailbox = mailbox;
    this.tools = new MailTools(mailbox);
    McpJsonMapper json = McpJsonDefaults.getMapper();
    OutputStream protocol = handOver.stream(out);
    LineGate gate = new LineGate(in, protocol, json, answers, tools::close, inputClosed::countDown);
    this.transport =
        new StdioServerTransportProvider(
            handOver.mapper(json), gate, protocol, LineGate.MAX_LINE_BYTES + 1);
    List<SyncToolSpecification> toolSpecs = new ArrayList<>();
    for (ToolSpec spec : tools.specs()) {
      toolSpecs.add(toolSpecification(spec));
    }
    this.server =
        McpServer.sync(transport)
            .serverInfo("agent-msg", version)
            .instructions(
                "The agent-msg mailbox of agent '"
                    + mailbox.agent()
                    + "'. Use send/reply to write to other agents, inbox to read new mail, and"
                    + " wait_for_message to block until a reply arrives instead of polling.")
            .jsonMapper(json)
            // The handlers check arguments themselves, so that errors carry agent-msg's codes.
            .validateToolInputs(false)
            .capabilities(
                McpSchema.ServerCapabilities.builder()
                    .tools(false)
                    .resources(true, false)
                    .logging()
                    .build())
            .tools(toolSpecs)
            .resources(inboxResource())
            .build();
  }

  /**
   * Serves {@code messenger}'s mailbox (local, or {@linkplain agentmsg.RemoteMessenger on a
   * server}) on {@code in}/{@code out} until {@link #close}, which closes {@code messenger} too,
   * and starts announcing new mail. The agent must be registered.
   */
  public static MailboxMcpServer start(
      Messenger messenger, InputStream in, OutputStream out, String version) {
    MailboxMcpServer mcp = new MailboxMcpServer(messenger, in, out, version);
    try {
      messenger.announce(mcp::announce, mcp::log);
    } catch (RuntimeException e) {
      mcp.close();
      throw e;
    }
    return mcp;
  }

  /**
   * Blocks until the client closes the input stream (it is done, or it died) and every request it
   * sent before has been answered.
   */
  public void awaitInputClosed() throws InterruptedException {
    inputClosed.await();
  }

  /** Sends a warning to the client as an MCP log message (best effort). */
  public void log(String warning) {
    notifyClient(LoggingLevel.WARNING, warning);
  }

  private void announce(List<Message> fresh) {
    server.notifyResourcesUpdated(new ResourcesUpdatedNotification(INBOX_URI));
    for (Message message : fresh) {
      String body = message.body();
      String preview =
          body.length() <= PREVIEW_CHARS ? body : body.substring(0, PREVIEW_CHARS) + "...";
      notifyClient(
          LoggingLevel.INFO,
          "new message for "
              + message.to()
              + " from "
              + message.from()
              + " (id "
              + message.id()
              + "; read it with the inbox tool): "
              + preview);
    }
  }

  // MCP SDK 2.x deprecates these builders and constructors; moving over is its own change.
  @SuppressWarnings("deprecation")
  private void notifyClient(LoggingLevel level, String text) {
    transport
        .notifyClients(
            McpSchema.METHOD_NOTIFICATION_MESSAGE,
            LoggingMessageNotification.builder().level(level).logger(LOGGER).data(text).build())
        .block(NOTIFY_TIMEOUT);
  }

  // MCP SDK 2.x deprecates these builders and constructors; moving over is its own change.
  @SuppressWarnings("deprecation")
  private SyncToolSpecification toolSpecification(ToolSpec spec) {
    McpSchema.Tool tool =
        McpSchema.Tool.builder()
            .name(spec.name())
            .description(spec.description())
            .inputSchema(spec.inputSchema())
            .build();
    return SyncToolSpecification.builder()
        .tool(tool)
        .callHandler((exchange, request) -> call(spec.name(), request.arguments()))
        .build();
  }

  private CallToolResult call(String name, java.util.Map<String, Object> arguments) {
    try {
      MailTools.Result outcome = tools.invoke(name, arguments);
      CallToolResult result =
          CallToolResult.builder().addTextContent(outcome.text()).isError(false).build();
      if (outcome.handedOver() != Messenger.Taken.NOTHING) {
        handOver.after(result, outcome.handedOver());
      }
      return result;
    } catch (AgentMsgException e) {
      return error(e.code(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error("interrupted", name + " was interrupted");
    } catch (RuntimeException e) {
      return error("internal", name + " failed: " + e);
    }
  }

  private static CallToolResult error(String code, String message) {
    return CallToolResult.builder()
        .addTextContent("error[" + code + "]: " + message)
        .isError(true)
        .build();
  }

  // MCP SDK 2.x deprecates these builders and constructors; moving over is its own change.
  @SuppressWarnings("deprecation")
  private SyncResourceSpecification inboxResource() {
    Resource resource =
        Resource.builder()
            .uri(INBOX_URI)
            .name("inbox")
            .title("Unread messages of " + mailbox.agent())
            .description("Your unread messages, oldest first; reading this marks nothing read.")
            .mimeType("application/json")
            .build();
    return new SyncResourceSpecification(
        resource,
        (exchange, request) ->
            new ReadResourceResult(
                List.of(new TextResourceContents(INBOX_URI, "application/json", unreadText()))));
  }

  private String unreadText() {
    return MailTools.messages(mailbox.unread());
  }

  /**
   * Stops announcing, wakes waiting tool calls and closes the session; a messenger stays open, a
   * remote mailbox is closed.
   */
  @Override
  public void close() {
    tools.close();
    server.closeGracefully();
  }
}
