package agentmsg.mcp;

import static agentmsg.mcp.Schemas.choice;
import static agentmsg.mcp.Schemas.integer;
import static agentmsg.mcp.Schemas.name;
import static agentmsg.mcp.Schemas.nonEmpty;
import static agentmsg.mcp.Schemas.number;
import static agentmsg.mcp.Schemas.object;
import static agentmsg.mcp.Schemas.recipient;
import static agentmsg.mcp.Schemas.string;
import static agentmsg.mcp.Schemas.time;

import agentmsg.Agent;
import agentmsg.AgentMsgException;
import agentmsg.HistoryQuery;
import agentmsg.InvalidMessageException;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.Messenger;
import agentmsg.Options;
import agentmsg.Priority;
import agentmsg.RecipientHealth;
import agentmsg.Sent;
import agentmsg.json.AgentJson;
import agentmsg.json.HealthJson;
import agentmsg.json.MessageJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The mailbox tools of one agent: what each is called, what it takes and what it does, on one
 * {@link Messenger} (local or remote: the same tools, arguments and results). Knows nothing of MCP
 * itself, so it is tested without a transport. Thread-safe: calls may run at once (a {@code
 * wait_for_message} blocks only its own call).
 */
final class MailTools implements AutoCloseable {
  static final int MAX_WAIT_SECONDS = 600;
  static final int DEFAULT_WAIT_SECONDS = 60;
  static final int MAX_HISTORY = 500;
  static final int DEFAULT_HISTORY = 20;
  static final List<String> PRIORITIES = List.of("low", "normal", "high", "urgent");

  private final Messenger mailbox;
  private final List<ToolSpec> specs;

  MailTools(Messenger mailbox) {
    this.mailbox = mailbox;
    this.specs =
        List.of(
            send(), inbox(), waitForMessage(), reply(), history(), listAgents(), messageStatus());
  }

  List<ToolSpec> specs() {
    return specs;
  }

  Messenger mailbox() {
    return mailbox;
  }

  /**
   * Calls tool {@code name} as if its result reached the client at once; an unknown name is a usage
   * error.
   */
  String call(String name, Map<String, Object> arguments) throws InterruptedException {
    Result result = invoke(name, arguments);
    result.handedOver().run();
    return result.text();
  }

  /**
   * Calls tool {@code name}; the caller runs the result's {@code handedOver} once the client has
   * the text. An unknown name is a usage error.
   */
  Result invoke(String name, Map<String, Object> arguments) throws InterruptedException {
    for (ToolSpec spec : specs) {
      if (spec.name().equals(name)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) spec.inputSchema().get("properties");
        ToolArguments call = new ToolArguments(name, arguments, properties.keySet());
        String text = spec.handler().call(call);
        return new Result(text, call.handedOver());
      }
    }
    throw new AgentMsgException("usage", "no tool named '" + name + "'");
  }

  /** A tool's text, and what to do once the client has it. */
  record Result(String text, Runnable handedOver) {}

  private ToolSpec send() {
    return new ToolSpec(
        "send",
        "Send a message to another agent, @all or a @group; returns what was stored once it is on"
            + " disk.",
        object(
            List.of("to", "message"),
            "to",
            recipient("The recipient: an agent name (see list_agents), @all or @<group>."),
            "message",
            nonEmpty("The message text.", Options.MAX_MESSAGE_BYTES_LIMIT),
            "thread",
            name("The thread to continue (a thread or message id); default: a new one."),
            "reply_to",
            name("The id of the message this answers; joins its thread."),
            "priority",
            choice("How important it is.", PRIORITIES, "normal")),
        arguments -> {
          MessageDraft draft = MessageDraft.to(arguments.requiredString("to"), body(arguments));
          String replyTo = arguments.optionalString("reply_to");
          String thread = arguments.optionalString("thread");
          if (replyTo != null) {
            Message original = find(replyTo);
            draft =
                new MessageDraft(
                    draft.to(),
                    draft.body(),
                    null,
                    original.thread(),
                    replyTo,
                    original.subject(),
                    Priority.NORMAL,
                    false);
          }
          if (thread != null) {
            draft = draft.withThread(thread);
          }
          return sent(mailbox.submit(draft.withPriority(priority(arguments))));
        });
  }

  private ToolSpec inbox() {
    return new ToolSpec(
        "inbox",
        "Return your unread messages, oldest first, and mark them read.",
        object(List.of()),
        arguments -> taken(arguments, mailbox.take(), null));
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
          Messenger.Taken taken = mailbox.await(timeout);
          return taken(arguments, taken, taken.messages().isEmpty());
        });
  }

  private ToolSpec reply() {
    return new ToolSpec(
        "reply",
        "Reply to a message by its id: to its sender (or recipient, if you sent it), in its thread.",
        object(
            List.of("message_id", "message"),
            "message_id",
            name("The id of the message to answer."),
            "message",
            nonEmpty("The reply text.", Options.MAX_MESSAGE_BYTES_LIMIT),
            "priority",
            choice("How important it is.", PRIORITIES, "normal")),
        arguments -> {
          String id = arguments.requiredString("message_id");
          String body = body(arguments);
          Priority priority = priority(arguments);
          MessageDraft draft = MessageDraft.reply(find(id), mailbox.agent(), body);
          return sent(mailbox.submit(draft.withPriority(priority)));
        });
  }

  private ToolSpec history() {
    return new ToolSpec(
        "history",
        "Search the messages you sent or received, newest first, by peer, thread, time or words;"
            + " marks nothing read.",
        object(
            List.of(),
            "with",
            name("Only messages exchanged with this agent."),
            "thread",
            name("Only this thread (a thread id or the id of any message in it)."),
            "since",
            time("Only messages stored at or after this time: ISO-8601, or an age such as 2h."),
            "until",
            time("Only messages stored before this time: ISO-8601, or an age such as 1d."),
            "search",
            string("Only messages containing every word of this text (case-insensitive)."),
            "limit",
            integer("How many messages at most.", 1, MAX_HISTORY, DEFAULT_HISTORY)),
        arguments -> {
          Instant now = Instant.now();
          HistoryQuery query =
              HistoryQuery.newest(arguments.optionalInt("limit", 1, MAX_HISTORY, DEFAULT_HISTORY))
                  .withPeer(arguments.optionalString("with"))
                  .withSince(arguments.optionalTime("since", now))
                  .withUntil(arguments.optionalTime("until", now))
                  .withText(blankToNull(arguments.optionalString("search")))
                  .withThread(arguments.optionalString("thread"));
          return messages(mailbox.history(query));
        });
  }

  private ToolSpec listAgents() {
    return new ToolSpec(
        "list_agents",
        "List the registered agents you can message, with their type and last activity.",
        object(List.of()),
        arguments -> agents(mailbox.agents()));
  }

  private ToolSpec messageStatus() {
    return new ToolSpec(
        "message_status",
        "Tell what became of a message (every copy, for @all or a group) by its id: stored,"
            + " delivered, read or acked, with times.",
        object(List.of("message_id"), "message_id", name("The message id.")),
        arguments -> {
          String id = arguments.requiredString("message_id");
          List<Message> copies = mailbox.status(id);
          if (copies.isEmpty()) {
            throw unknownMessage(id);
          }
          return messages(copies);
        });
  }

  /** The text of taken messages; the call acks them once the client has it. */
  private static String taken(ToolArguments arguments, Messenger.Taken taken, Boolean timedOut) {
    arguments.afterHandOver(taken.handedOver());
    return listOf("messages", taken.messages(), timedOut);
  }

  /** The stored message {@code id}. */
  private Message find(String id) throws InterruptedException {
    return mailbox.message(id).orElseThrow(() -> unknownMessage(id));
  }

  private static AgentMsgException unknownMessage(String id) {
    return new AgentMsgException(
        "unknown-message", "no message with id '" + id + "' (see: the history tool)");
  }

  private static Priority priority(ToolArguments arguments) {
    String priority = arguments.optionalChoice("priority", new LinkedHashSet<>(PRIORITIES));
    return priority == null ? Priority.NORMAL : Priority.parse(priority);
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }

  /**
   * One message as itself, the copies of a fan-out as a list; each with its recipient's {@code
   * health}, and a {@code notice} when nothing will wake a recipient or the loop guard now holds
   * the thread.
   */
  private static String sent(Sent sent) {
    List<Message> copies = sent.messages();
    List<RecipientHealth> health = sent.recipients();
    List<String> lines = new ArrayList<>(copies.size());
    for (int i = 0; i < copies.size(); i++) {
      lines.add(
          HealthJson.line(
              copies.get(i), i < health.size() ? health.get(i) : null, sent.heldThread() != null));
    }
    List<String> notices = new ArrayList<>();
    String asleep = RecipientHealth.summary(health, Instant.now());
    if (asleep != null) {
      notices.add(asleep);
    }
    if (sent.heldThread() != null) {
      notices.add(Sent.heldNotice(sent.heldThread(), sent.holdLimit()));
    }
    String notice =
        notices.isEmpty() ? "" : ",\"notice\":" + HealthJson.quote(String.join("; ", notices));
    if (copies.size() == 1) {
      String line = lines.get(0);
      return line.substring(0, line.length() - 1) + notice + "}";
    }
    String list = joined("messages", lines, null);
    return list.substring(0, list.length() - 1) + notice + "}";
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
    mailbox.close();
  }
}
