package agentmsg.mcp;

import agentmsg.AgentMsgException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of one tool call, checked against what the tool's schema promises. Every violation
 * is an {@link AgentMsgException} with code {@code usage} naming the argument and its limit,
 * because clients do not all validate against the schema before calling. Not thread-safe; one per
 * call.
 */
final class ToolArguments {
  private final String tool;
  private final Map<String, Object> values;

  ToolArguments(String tool, Map<String, Object> values, Set<String> allowed) {
    this.tool = tool;
    this.values = values == null ? Map.of() : values;
    for (String name : this.values.keySet()) {
      if (!allowed.contains(name)) {
        throw usage(
            "unknown argument '" + name + "' (accepted: " + String.join(", ", allowed) + ")");
      }
    }
  }

  /** A required string; may be empty (the caller decides what empty means). */
  String requiredString(String name) {
    String value = optionalString(name);
    if (value == null) {
      throw usage("missing required argument '" + name + "'");
    }
    return value;
  }

  /** A string argument, or null when absent. */
  String optionalString(String name) {
    Object value = values.get(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String)) {
      throw usage("'" + name + "' must be a string, was " + describe(value));
    }
    return (String) value;
  }

  /** A whole number within bounds, or {@code fallback} when absent. */
  int optionalInt(String name, int min, int max, int fallback) {
    Object value = values.get(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number) || !isWhole((Number) value)) {
      throw usage("'" + name + "' must be a whole number, was " + describe(value));
    }
    double number = ((Number) value).doubleValue();
    if (number < min || number > max) {
      throw usage("'" + name + "' must be between " + min + " and " + max + ", was " + value);
    }
    return (int) number;
  }

  /** A number of seconds within bounds (fractions allowed), or {@code fallback} when absent. */
  Duration optionalSeconds(String name, long maxSeconds, Duration fallback) {
    Object value = values.get(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number)) {
      throw usage("'" + name + "' must be a number of seconds, was " + describe(value));
    }
    double seconds = ((Number) value).doubleValue();
    if (!(seconds >= 0) || seconds > maxSeconds) {
      throw usage("'" + name + "' must be between 0 and " + maxSeconds + " seconds, was " + value);
    }
    return Duration.ofNanos((long) (seconds * 1e9));
  }

  /** One of {@code choices} (exact, lower case), or null when absent. */
  String optionalChoice(String name, Set<String> choices) {
    String value = optionalString(name);
    if (value != null && !choices.contains(value)) {
      throw usage(
          "'" + name + "' must be one of " + String.join(", ", choices) + ", was '" + value + "'");
    }
    return value;
  }

  /** An ISO-8601 instant such as {@code 2026-01-31T12:00:00Z}, or null when absent. */
  Instant optionalInstant(String name) {
    String value = optionalString(name);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw usage(
          "'"
              + name
              + "' must be an ISO-8601 time such as 2026-01-31T12:00:00Z, was '"
              + value
              + "'");
    }
  }

  AgentMsgException usage(String message) {
    return new AgentMsgException("usage", tool + ": " + message);
  }

  private static boolean isWhole(Number number) {
    double value = number.doubleValue();
    return !Double.isInfinite(value) && value == Math.rint(value);
  }

  private static String describe(Object value) {
    return value instanceof String ? "'" + value + "'" : String.valueOf(value);
  }
}
