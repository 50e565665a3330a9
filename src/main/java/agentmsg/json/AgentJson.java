package agentmsg.json;

import agentmsg.Agent;
import agentmsg.AgentType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;

/** The {@code --json} line form of an agent. Thread-safe. */
public final class AgentJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private AgentJson() {}

  public static String toLine(Agent agent) {
    StringWriter out = new StringWriter(160);
    try (JsonGenerator json = FACTORY.createGenerator((Writer) out)) {
      json.writeStartObject();
      json.writeStringField("name", agent.name());
      json.writeStringField("type", agent.type().id());
      json.writeStringField("registeredAt", Timestamps.format(agent.registeredAt()));
      json.writeStringField("lastSeenAt", Timestamps.format(agent.lastSeenAt()));
      json.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON to a string", e);
    }
    return out.toString();
  }

  /**
   * Reads the {@link #toLine} form back.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static Agent parseLine(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("an agent must be a JSON object");
    }
    return new Agent(
        text(root, "name"),
        AgentType.parse(text(root, "type")),
        Timestamps.parse(text(root, "registeredAt")),
        Timestamps.parse(text(root, "lastSeenAt")));
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.isValueNode() || node.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return node.asText();
  }
}
