package agentmsg.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.util.Set;

/**
 * The JSON of Claude Code's command hooks: the event a hook is called for (stdin), and the one
 * output shape that adds context (stdout). The output is validated strictly by Claude Code, so it
 * carries exactly {@code hookSpecificOutput.hookEventName} and {@code additionalContext}.
 * Thread-safe.
 */
final class HookJson {
  /**
   * The events whose output may add context, and that the {@code hook} command answers: Claude
   * Code's and Codex's, and Gemini CLI's {@code BeforeAgent} / {@code AfterTool}, which take the
   * same output shape.
   */
  public static final Set<String> EVENTS =
      Set.of("UserPromptSubmit", "SessionStart", "PostToolUse", "BeforeAgent", "AfterTool");

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = new JsonFactory();

  private HookJson() {}

  /**
   * The {@code hook_event_name} of a hook's input.
   *
   * @throws IllegalArgumentException if the input is not a JSON object with a known event name
   */
  public static String eventName(byte[] input) {
    JsonNode root;
    try {
      root = MAPPER.readTree(input);
    } catch (IOException e) {
      throw new IllegalArgumentException("hook input is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("hook input is not a JSON object");
    }
    JsonNode event = root.get("hook_event_name");
    if (event == null || !event.isTextual()) {
      throw new IllegalArgumentException("hook input has no hook_event_name");
    }
    if (!EVENTS.contains(event.asText())) {
      throw new IllegalArgumentException(
          "hook event '" + event.asText() + "' is not one of " + EVENTS + "; nothing to add");
    }
    return event.asText();
  }

  /** The output that adds {@code context} to the model's context for {@code event}. */
  public static String additionalContext(String event, String context) {
    StringWriter out = new StringWriter(context.length() + 128);
    try (JsonGenerator json = FACTORY.createGenerator((Writer) out)) {
      json.writeStartObject();
      json.writeObjectFieldStart("hookSpecificOutput");
      json.writeStringField("hookEventName", event);
      json.writeStringField("additionalContext", context);
      json.writeEndObject();
      json.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON to a string", e);
    }
    return out.toString();
  }
}
