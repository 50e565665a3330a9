package agentmsg.mcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders for the JSON schemas of tool arguments, kept in declaration order. */
final class Schemas {
  /** The agent-name rule of {@code agentmsg.AgentNames}, which message ids follow too. */
  static final String NAME_PATTERN = "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$";

  /** An agent name, {@code @all} or {@code @<group>}. */
  static final String RECIPIENT_PATTERN = "^@?[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$";

  private Schemas() {}

  /** An object schema with these properties (name, schema pairs); no other property allowed. */
  static Map<String, Object> object(List<String> required, Object... properties) {
    Map<String, Object> props = new LinkedHashMap<>();
    for (int i = 0; i < properties.length; i += 2) {
      props.put((String) properties[i], properties[i + 1]);
    }
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("type", "object");
    schema.put("properties", props);
    if (!required.isEmpty()) {
      schema.put("required", new ArrayList<>(required));
    }
    schema.put("additionalProperties", false);
    return schema;
  }

  static Map<String, Object> string(String description) {
    return field("string", description);
  }

  static Map<String, Object> name(String description) {
    Map<String, Object> schema = string(description);
    schema.put("pattern", NAME_PATTERN);
    return schema;
  }

  static Map<String, Object> recipient(String description) {
    Map<String, Object> schema = string(description);
    schema.put("pattern", RECIPIENT_PATTERN);
    return schema;
  }

  static Map<String, Object> nonEmpty(String description, int maxLength) {
    Map<String, Object> schema = string(description);
    schema.put("minLength", 1);
    schema.put("maxLength", maxLength);
    return schema;
  }

  static Map<String, Object> choice(String description, List<String> values, String fallback) {
    Map<String, Object> schema = string(description);
    schema.put("enum", new ArrayList<>(values));
    schema.put("default", fallback);
    return schema;
  }

  static Map<String, Object> integer(String description, int min, int max, int fallback) {
    Map<String, Object> schema = field("integer", description);
    schema.put("minimum", min);
    schema.put("maximum", max);
    schema.put("default", fallback);
    return schema;
  }

  static Map<String, Object> number(String description, int min, int max, int fallback) {
    Map<String, Object> schema = field("number", description);
    schema.put("minimum", min);
    schema.put("maximum", max);
    schema.put("default", fallback);
    return schema;
  }

  /** A point in time: ISO-8601 or an age such as {@code 2h} (see {@link ToolArguments}). */
  static Map<String, Object> time(String description) {
    Map<String, Object> schema = string(description);
    schema.put("pattern", "^(\\d{1,9}[smhdw]|\\d{4}-\\d{2}-\\d{2}T.+)$");
    return schema;
  }

  private static Map<String, Object> field(String type, String description) {
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("type", type);
    schema.put("description", description);
    return schema;
  }
}
