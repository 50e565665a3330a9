package agentmsg.mcp;

import static agentmsg.mcp.Schemas.integer;
import static agentmsg.mcp.Schemas.name;
import static agentmsg.mcp.Schemas.nonEmpty;
import static agentmsg.mcp.Schemas.number;
import static agentmsg.mcp.Schemas.object;

import agentmsg.Agent;
import agentmsg.AgentMessenger;
import agentmsg.AgentMsgException;
import agentmsg.InboxReader;
import agentmsg.InvalidMessageException;
import agentmsg.Message;
import agentmsg.Options;
import agentmsg.internal.wire.AgentJson;
import agentmsg.internal.wire.MessageJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mailbox tools of one agent: what each is called, what it takes and what it does, on one
 * {@link AgentMessenger}. Knows nothing of MCP itself, so it is tested without a transport.
 * Thread-safe: calls may run at once (a {@code wait_for_message} blocks only its own call).
 */
final class MailTools implements AutoCloseable {
  static final int MAX_WAIT_SECONDS = 600;
  static final int DEFAULT_WAIT_SECONDS = 60;
  static final int MAX_HISTORY = 500;
  static final int DEFAULT_HISTORY = 20;

  /** How far back {@code reply} and {@code message_status} look for a message by id. */
  private static final int LOOKUP_DEPTH = 10_000;

  private final AgentMessenger messenger;
  private final List<ToolSpec> specs;

  /** Readers of waiting {@code wait_for_message} calls, closed (and so woken) by {@link #close}. */
  private final Set<InboxReader> waiting = ConcurrentHashMap.newKeySet();

  private volatile boolean closed;

  MailTools(AgentMessenger messenger) {
    this.messenger = messenger;
    this.specs =
        List.of(
            send(), inbox(), waitForMessage(), reply(), history(), listAgents(), messageStatus());
  }

  List<ToolSpec> specs() {
    return specs;
  }

  /** Calls tool {@code name}; an unknown name is a usage error. */
  String call(String name, Map<String, Object> arguments) throws InterruptedException {
    for (ToolSpec spec : specs) {
      if (spec.name().equals(name)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) spec.inputSchema().get("properties");
        return spec.handler().call(new ToolArguments(name, arguments, properties.keySet()));
      }
    }
    throw new AgentMsgException("usage", "no tool named '" + name + "'");
  }

  private ToolSpec send() {
    return new ToolSpec(
        "send",
        "Send a message to another agent; returns the stored message once it is on disk.",
        object(
            List.of("to", "message"),
            "to",
            name("The recipient agent's name (see list_agents)."),
            "message",
            nonEmpty("The message text.", Options.MAX_MESSAGE_BYTES_LIMIT)),
        arguments -> {
          String to = arguments.requiredString("to");
          return MessageJson.toLine(messenger.send(to, body(arguments)));
        });
  }

  private ToolSpec inbox() {
    return new ToolSpec(
        "inbox",
        "Return your unread messages, oldest first, and mark them read.",
        object(List.of()),
        arguments -> messages(messenger.checkInbox()));
  }

  private ToolSpec waitForMessage() {
    return new ToolSpec(
        "wait_for_message",
        "Block until a message arrives (or the timeout passes), then return your unread messages"
            + " and mark them read.",
        object(
            List.of(),
            "timeout_seconds",
            number(
                "How long to wait at most; 0 only checks.",
                0,
                MAX_WAIT_SECONDS,
                DEFAULT_WAIT_SECONDS)),
        arguments -> {
          Duration timeout =
              arguments.optionalSeconds(
                  "timeout_seconds", MAX_WAIT_SECONDS, Duration.ofSeconds(DEFAULT_WAIT_SECONDS));
          return awaitMessages(timeout);
        });
  }

  private ToolSpec reply() {
    return new ToolSpec(
        "reply",
        "Reply to a message you received, by its id; the reply goes to its sender.",
        object(
            List.of("message_id", "message"),
            "message_id",
            name("The id of the message to answer."),
            "message",
            nonEmpty("The reply text.", Options.MAX_MESSAGE_BYTES_LIMIT)),
        arguments -> {
          String id = arguments.requiredString("message_id");
          String body = body(arguments);
          Message original = find(id);
          String to = original.from().equals(messenger.agent()) ? original.to() : original.from();
          return MessageJson.toLine(messenger.send(to, body));
        });
  }

  private ToolSpec history() {
    return new ToolSpec(
        "history",
        "Return the newest messages you received, read or not, oldest first; marks nothing read.",
        object(
            List.of(),
            "limit",
            integer("How many messages at most.", 1, MAX_HISTORY, DEFAULT_HISTORY)),
        arguments ->
            messages(
                messenger.history(
                    arguments.optionalInt("limit", 1, MAX_HISTORY, DEFAULT_HISTORY))));
  }

  private ToolSpec listAgents() {
    return new ToolSpec(
        "list_agents",
        "List the registered agents you can message, with their type and last activity.",
        object(List.of()),
        arguments -> agents(messenger.agents()));
  }

  private ToolSpec messageStatus() {
    return new ToolSpec(
        "message_status",
        "Tell what became of a message by its id: stored, delivered, read or acked, with times.",
        object(List.of("message_id"), "message_id", name("The message id.")),
        arguments -> messages(List.of(find(arguments.requiredString("message_id")))));
  }

  private String awaitMessages(Duration timeout) throws InterruptedException {
    if (closed) {
      throw new AgentMsgException("interrupted", "the MCP server is shutting down");
    }
    try (InboxReader reader = messenger.openInbox()) {
      waiting.add(reader);
      if (closed) {
        // close() may have run before the add: then it did not see this reader.
        reader.close();
      }
      try {
        List<Message> batch = reader.next(timeout);
        List<Message> read = batch.isEmpty() ? batch : reader.markRead(batch, Instant.now());
        return messages(read, read.isEmpty());
      } finally {
        waiting.remove(reader);
      }
    }
  }

  /** The message {@code id} among those this agent received. */
  private Message find(String id) {
    for (Message message : messenger.history(LOOKUP_DEPTH)) {
      if (message.id().equals(id)) {
        return message;
      }
    }
    throw new AgentMsgException(
        "unknown-message", "no message with id '" + id + "' in the inbox of " + messenger.agent());
  }

  private static String body(ToolArguments arguments) {
    String body = arguments.requiredString("message");
    if (body.isEmpty()) {
      throw new InvalidMessageException("empty-message", "the message is empty");
    }
    return body;
  }

  static String messages(List<Message> messages) {
    return listOf("messages", messages, null);
  }

  static String messages(List<Message> messages, boolean timedOut) {
    return listOf("messages", messages, timedOut);
  }

  static String agents(List<Agent> agents) {
    List<String> lines = new ArrayList<>(agents.size());
    for (Agent agent : agents) {
      lines.add(AgentJson.toLine(agent));
    }
    return joined("agents", lines, null);
  }

  private static String listOf(String field, List<Message> messages, Boolean timedOut) {
    List<String> lines = new ArrayList<>(messages.size());
    for (Message message : messages) {
      lines.add(MessageJson.toLine(message));
    }
    return joined(field, lines, timedOut);
  }

  /** {@code {"count":n,"<field>":[...]}}: each element is already one JSON object. */
  private static String joined(String field, List<String> elements, Boolean timedOut) {
    StringBuilder json = new StringBuilder(64 + elements.size() * 256);
    json.append("{\"count\":").append(elements.size());
    if (timedOut != null) {
      json.append(",\"timedOut\":").append(timedOut);
    }
    json.append(",\"").append(field).append("\":[");
    json.append(String.join(",", elements));
    return json.append("]}").toString();
  }

  /** Wakes every waiting {@code wait_for_message}; later waits fail at once. */
  @Override
  public void close() {
    closed = true;
    for (InboxReader reader : new LinkedHashSet<>(waiting)) {
      reader.close();
    }
  }
}
