package agentmsg.mcp;

import agentmsg.AgentMsgException;
import agentmsg.Messenger;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The arguments of one tool call, checked against what the tool's schema promises, and what the
 * call asks to be done once its result reached the client. Every violation is an {@link
 * AgentMsgException} with code {@code usage} naming the argument and its limit, because clients do
 * not all validate against the schema before calling. Not thread-safe; one per call.
 */
final class ToolArguments {
  private static final Pattern AGE = Pattern.compile("(\\d{1,9})(s|m|h|d|w)");

  private final String tool;
  private final Map<String, Object> values;
  private Runnable handedOver = Messenger.Taken.NOTHING;

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
    if (!(value instanceof String text)) {
      throw usage("'" + name + "' must be a string, was " + describe(value));
    }
    return text;
  }

  /** A whole number within bounds, or {@code fallback} when absent. */
  int optionalInt(String name, int min, int max, int fallback) {
    Object value = values.get(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number whole) || !isWhole(whole)) {
      throw usage("'" + name + "' must be a whole number, was " + describe(value));
    }
    double number = whole.doubleValue();
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
    if (!(value instanceof Number number)) {
      throw usage("'" + name + "' must be a number of seconds, was " + describe(value));
    }
    double seconds = number.doubleValue();
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

  /**
   * A point in time: an ISO-8601 instant such as {@code 2026-01-31T12:00:00Z}, or an age before
   * {@code now} such as {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d} or {@code 1w}; null when
   * absent.
   */
  Instant optionalTime(String name, Instant now) {
    String value = optionalString(name);
    if (value == null) {
      return null;
    }
    String text = value.trim();
    Matcher age = AGE.matcher(text);
    if (age.matches()) {
      long amount = Long.parseLong(age.group(1));
      ChronoUnit unit =
          switch (age.group(2)) {
            case "s" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            case "d" -> ChronoUnit.DAYS;
            default -> ChronoUnit.WEEKS;
          };
      return now.minus(unit.getDuration().multipliedBy(amount));
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw usage(
          "'"
              + name
              + "' must be an ISO-8601 time such as 2026-01-31T12:00:00Z or an age such as 2h, was '"
              + value
              + "'");
    }
  }

  /** What to do once the client has this call's result (e.g. ack the messages it holds). */
  void afterHandOver(Runnable action) {
    this.handedOver = action;
  }

  Runnable handedOver() {
    return handedOver;
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
