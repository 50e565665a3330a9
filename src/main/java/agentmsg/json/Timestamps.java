package agentmsg.json;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** ISO-8601 UTC timestamps with exactly three fraction digits, as the original tool wrote them. */
public final class Timestamps {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  public static String format(Instant instant) {
    return instant == null ? null : FORMAT.format(instant);
  }

  /**
   * Parses an ISO-8601 instant, or a number of epoch milliseconds (the original tool used both).
   *
   * @throws IllegalArgumentException if it is neither
   */
  public static Instant parse(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notIso) {
      try {
        return Instant.ofEpochMilli(Long.parseLong(text.trim()));
      } catch (NumberFormatException notMillis) {
        throw new IllegalArgumentException("not an ISO-8601 timestamp: '" + text + "'");
      }
    }
  }
}
