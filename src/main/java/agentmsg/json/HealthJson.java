package agentmsg.json;

import agentmsg.Message;
import agentmsg.RecipientHealth;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a recipient's health, the same in {@code send --json}, the MCP {@code send}
 * result and the wire's {@code stored} frame: {@code
 * {"agent":"bob","connected":false,"wake":"hook","wakeSeenAt":"...","lastSeenAt":"...","awake":true}}
 * (a time is null when unknown). Stateless.
 */
public final class HealthJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private HealthJson() {}

  /** One recipient's health as a JSON object. */
  public static String toJson(RecipientHealth health) {
    StringWriter out = new StringWriter(160);
    try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
      write(json, health);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Writes one recipient's health as a JSON object. */
  public static void write(JsonGenerator json, RecipientHealth health) throws IOException {
    json.writeStartObject();
    json.writeStringField("agent", health.agent());
    json.writeBooleanField("connected", health.connected());
    json.writeStringField("wake", health.wake());
    json.writeStringField("wakeSeenAt", time(health.wakeSeenAt()));
    json.writeStringField("lastSeenAt", time(health.lastSeenAt()));
    json.writeBooleanField("awake", health.awake());
    json.writeEndObject();
  }

  /**
   * A message's {@code --json} line with its recipient's health added as {@code "health"}, and
   * {@code "threadHeld":true} when the send made the loop guard hold its thread.
   */
  public static String line(Message message, RecipientHealth health, boolean threadHeld) {
    String line = MessageJson.toLine(message);
    if (health == null && !threadHeld) {
      return line;
    }
    StringBuilder out = new StringBuilder(line.length() + 200);
    out.append(line, 0, line.length() - 1);
    if (health != null) {
      out.append(",\"health\":").append(toJson(health));
    }
    if (threadHeld) {
      out.append(",\"threadHeld\":true");
    }
    return out.append('}').toString();
  }

  /** {@code text} as a JSON string. */
  public static String quote(String text) {
    try {
      return MAPPER.writeValueAsString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The health objects of a JSON array (a {@code stored} frame's {@code health}); lenient. */
  public static List<RecipientHealth> parse(JsonNode array) {
    List<RecipientHealth> health = new ArrayList<>();
    if (array == null || !array.isArray()) {
      return health;
    }
    for (JsonNode node : array) {
      JsonNode agent = node.get("agent");
      if (agent == null || !agent.isTextual()) {
        continue;
      }
      JsonNode wake = node.get("wake");
      health.add(
          new RecipientHealth(
              agent.asText(),
              node.path("connected").asBoolean(false),
              wake != null && wake.isTextual() ? wake.asText() : null,
              parseTime(node.get("wakeSeenAt")),
              parseTime(node.get("lastSeenAt"))));
    }
    return health;
  }

  private static String time(Instant instant) {
    return instant == null ? null : Timestamps.format(instant);
  }

  private static Instant parseTime(JsonNode node) {
    if (node == null || !node.isTextual()) {
      return null;
    }
    try {
      return Timestamps.parse(node.asText());
    } catch (IllegalArgumentException unreadable) {
      return null;
    }
  }
}
