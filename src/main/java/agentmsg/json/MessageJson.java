package agentmsg.json;

import agentmsg.Message;
import agentmsg.Priority;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Instant;

/**
 * The JSON form of a message. Field names keep the original tool's ({@code id}, {@code from},
 * {@code to}, {@code message}, {@code timestamp}), then the conversation fields ({@code thread},
 * {@code replyTo}, {@code subject}, {@code priority}, {@code ackRequired}); the delivery state
 * follows when asked for. Thread-safe.
 */
public final class MessageJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private MessageJson() {}

  /** The mirror-file form: the message itself, no delivery state (that lives in the store). */
  public static String toFileJson(Message message) {
    return write(message, false);
  }

  /** The {@code --json} line form: the message and its delivery state, on one line. */
  public static String toLine(Message message) {
    return write(message, true);
  }

  private static String write(Message message, boolean withState) {
    StringWriter out = new StringWriter(256 + message.body().length());
    try (JsonGenerator json = FACTORY.createGenerator((Writer) out)) {
      json.writeStartObject();
      json.writeStringField("id", message.id());
      json.writeStringField("from", message.from());
      json.writeStringField("to", message.to());
      json.writeStringField("message", message.body());
      json.writeStringField("timestamp", Timestamps.format(message.timestamp()));
      json.writeStringField("thread", message.thread());
      json.writeStringField("replyTo", message.replyTo());
      json.writeStringField("subject", message.subject());
      json.writeStringField("priority", message.priority().id());
      json.writeBooleanField("ackRequired", message.ackRequired());
      if (withState) {
        json.writeNumberField("seq", message.seq());
        json.writeStringField("status", message.status().id());
        writeInstant(json, "deliveredAt", message.deliveredAt());
        writeInstant(json, "readAt", message.readAt());
        writeInstant(json, "ackedAt", message.ackedAt());
        writeInstant(json, "surfacedAt", message.surfacedAt());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON to a string", e);
    }
    return out.toString();
  }

  private static void writeInstant(JsonGenerator json, String field, Instant value)
      throws IOException {
    if (value == null) {
      json.writeNullField(field);
    } else {
      json.writeStringField(field, Timestamps.format(value));
    }
  }

  /**
   * Reads the {@link #toLine} form back, as a client of the server gets it in {@code history} and
   * {@code status} answers.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static Message parseLine(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("a message must be a JSON object");
    }
    String priority = text(root, "priority", false);
    JsonNode seq = root.get("seq");
    return new Message(
        text(root, "id", true),
        seq == null || !seq.canConvertToLong() ? 0 : seq.asLong(),
        text(root, "from", true),
        text(root, "to", true),
        text(root, "message", true),
        Timestamps.parse(text(root, "timestamp", true)),
        instant(root, "deliveredAt"),
        instant(root, "readAt"),
        instant(root, "ackedAt"),
        text(root, "thread", false),
        text(root, "replyTo", false),
        text(root, "subject", false),
        priority == null ? Priority.NORMAL : Priority.parse(priority),
        root.path("ackRequired").asBoolean(false),
        instant(root, "surfacedAt"));
  }

  private static Instant instant(JsonNode root, String field) {
    String value = text(root, field, false);
    return value == null ? null : Timestamps.parse(value);
  }

  /**
   * Reads a message file in the mirror's (and the original tool's) format.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static Incoming parseFile(byte[] content) {
    JsonNode root;
    try {
      root = Holder.MAPPER.readTree(content);
    } catch (IOException e) {
      throw new IllegalArgumentException("not valid JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String from = text(root, "from", true);
    String body = text(root, "message", true);
    String to = text(root, "to", false);
    String id = text(root, "id", false);
    String timestamp = text(root, "timestamp", false);
    Instant sentAt = timestamp == null ? null : Timestamps.parse(timestamp);
    String priority = text(root, "priority", false);
    JsonNode ackRequired = root.get("ackRequired");
    return new Incoming(
        id,
        from,
        to,
        body,
        sentAt,
        text(root, "thread", false),
        text(root, "replyTo", false),
        text(root, "subject", false),
        priority == null ? Priority.NORMAL : Priority.parse(priority),
        ackRequired != null && ackRequired.asBoolean(false));
  }

  private static String text(JsonNode root, String field, boolean required) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw new IllegalArgumentException("missing field '" + field + "'");
      }
      return null;
    }
    if (!node.isValueNode()) {
      throw new IllegalArgumentException("field '" + field + "' is not a string");
    }
    return node.asText();
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /**
   * A message read from a file; fields other than {@code from}, {@code body} and {@code priority}
   * may be null.
   */
  public record Incoming(
      String id,
      String from,
      String to,
      String body,
      Instant timestamp,
      String thread,
      String replyTo,
      String subject,
      Priority priority,
      boolean ackRequired) {}

  /** Loaded on first parse only: most commands never read a foreign file. */
  private static final class Holder {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }
}
