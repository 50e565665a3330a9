package agentmsg.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/**
 * Merges command hooks into a Claude Code {@code settings.json}, keeping every other key and every
 * other hook, and adding nothing twice. Thread-safe.
 */
public final class SettingsJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SettingsJson() {}

  /**
   * Returns {@code existing} (null or blank for a new file) with one command hook per event added
   * where no hook of that event runs {@code command} yet.
   *
   * @throws IllegalArgumentException if {@code existing} is not a JSON object, or its {@code hooks}
   *     is not shaped as Claude Code expects: the file is then left for a person to fix
   */
  public static String mergeHooks(
      String existing, List<String> events, String command, int timeoutSeconds) {
    ObjectNode root;
    try {
      JsonNode parsed =
          existing == null || existing.isBlank()
              ? MAPPER.createObjectNode()
              : MAPPER.readTree(existing);
      if (!(parsed instanceof ObjectNode object)) {
        throw new IllegalArgumentException("it is not a JSON object");
      }
      root = object;
    } catch (IOException e) {
      throw new IllegalArgumentException("it is not valid JSON");
    }
    JsonNode hooksNode = root.get("hooks");
    if (hooksNode != null && !hooksNode.isObject()) {
      throw new IllegalArgumentException("its \"hooks\" is not an object");
    }
    ObjectNode hooks = hooksNode == null ? root.putObject("hooks") : (ObjectNode) hooksNode;
    for (String event : events) {
      JsonNode listNode = hooks.get(event);
      if (listNode != null && !listNode.isArray()) {
        throw new IllegalArgumentException("its \"hooks\"." + event + " is not an array");
      }
      ArrayNode list = listNode == null ? hooks.putArray(event) : (ArrayNode) listNode;
      if (!runs(list, command)) {
        ObjectNode hook = list.addObject().putArray("hooks").addObject();
        hook.put("type", "command");
        hook.put("command", command);
        hook.put("timeout", timeoutSeconds);
      }
    }
    try {
      return MAPPER.writeValueAsString(root) + System.lineSeparator();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON to a string", e);
    }
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
