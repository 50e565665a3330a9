package agentmsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Merges agent-msg's entries into an agent CLI's JSON config ({@code .mcp.json}, {@code
 * settings.json}, {@code opencode.json}, ...): what is there is kept, an entry already there is
 * left as it is, nothing is added twice. Immutable; each merge returns a new text. Thread-safe.
 */
final class AgentConfig {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final ObjectNode root;

  private AgentConfig(ObjectNode root) {
    this.root = root;
  }

  /**
   * The config in {@code existing} (null or blank: a new, empty one).
   *
   * @throws IllegalArgumentException if it is not a JSON object
   */
  public static AgentConfig parse(String existing) {
    if (existing == null || existing.isBlank()) {
      return new AgentConfig(MAPPER.createObjectNode());
    }
    try {
      JsonNode parsed = MAPPER.readTree(existing);
      if (!(parsed instanceof ObjectNode object)) {
        throw new IllegalArgumentException("it is not a JSON object");
      }
      return new AgentConfig(object.deepCopy());
    } catch (IOException e) {
      throw new IllegalArgumentException("it is not valid JSON");
    }
  }

  /**
   * Adds {@code entry} as {@code section.name} (e.g. {@code mcpServers."agent-msg"}) unless the
   * section has that name already: a server the user configured is theirs.
   */
  public AgentConfig withEntry(String section, String name, Map<String, ?> entry) {
    ObjectNode copy = root.deepCopy();
    ObjectNode parent = object(copy, section);
    if (!parent.has(name)) {
      parent.set(name, MAPPER.valueToTree(entry));
    }
    return new AgentConfig(copy);
  }

  /** Adds {@code value} to the string array {@code key} unless it holds it already. */
  public AgentConfig withListed(String key, String value) {
    ObjectNode copy = root.deepCopy();
    JsonNode node = copy.get(key);
    if (node != null && !node.isArray()) {
      throw new IllegalArgumentException("its \"" + key + "\" is not an array");
    }
    ArrayNode list = node == null ? copy.putArray(key) : (ArrayNode) node;
    for (JsonNode item : list) {
      if (value.equals(item.asText())) {
        return this;
      }
    }
    list.add(value);
    return new AgentConfig(copy);
  }

  /**
   * Adds, for each event, a matcher group holding {@code hook} under {@code hooks.<event>}, unless
   * a hook of that event runs the same {@code command} already (Claude Code's shape, which Codex
   * and Gemini CLI share).
   */
  public AgentConfig withHook(List<String> events, Map<String, ?> hook) {
    Object command = hook.get("command");
    ObjectNode copy = root.deepCopy();
    ObjectNode hooks = object(copy, "hooks");
    for (String event : events) {
      JsonNode listNode = hooks.get(event);
      if (listNode != null && !listNode.isArray()) {
        throw new IllegalArgumentException("its \"hooks\"." + event + " is not an array");
      }
      ArrayNode list = listNode == null ? hooks.putArray(event) : (ArrayNode) listNode;
      if (!runs(list, String.valueOf(command))) {
        list.addObject().putArray("hooks").add(MAPPER.valueToTree(hook));
      }
    }
    return new AgentConfig(copy);
  }

  /** The config as text, indented, with a final line break. */
  public String text() {
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON to a string", e);
    }
  }

  private static ObjectNode object(ObjectNode parent, String key) {
    JsonNode node = parent.get(key);
    if (node == null) {
      return parent.putObject(key);
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("its \"" + key + "\" is not an object");
    }
    return (ObjectNode) node;
  }

  private static boolean runs(ArrayNode matchers, String command) {
    for (JsonNode matcher : matchers) {
      JsonNode inner = matcher.get("hooks");
      if (inner != null && inner.isArray()) {
        for (JsonNode hook : inner) {
          JsonNode existing = hook.get("command");
          if (existing != null && command.equals(existing.asText())) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
