package agentmsg.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times and ages on the command line: relative ({@code 90s}, {@code 30m}, {@code 2h}, {@code 3d},
 * {@code 1w}) or ISO-8601 ({@code 2026-11-24T10:00:00Z}, with an offset, or without a zone or as a
 * bare date, both taken as UTC).
 */
final class TimeArgs {
  private static final Pattern RELATIVE = Pattern.compile("(\\d{1,9})\\s*(s|m|h|d|w)");

  private TimeArgs() {}

  /** An age such as {@code 30d}, or an ISO-8601 duration such as {@code PT12H}. */
  static Duration age(String option, String text) {
    String trimmed = text == null ? "" : text.trim();
    Matcher relative = RELATIVE.matcher(trimmed);
    if (relative.matches()) {
      long amount = Long.parseLong(relative.group(1));
      return switch (relative.group(2)) {
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        case "d" -> Duration.ofDays(amount);
        default -> Duration.ofDays(7 * amount);
      };
    }
    try {
      Duration duration = Duration.parse(trimmed);
      if (!duration.isNegative()) {
        return duration;
      }
    } catch (DateTimeParseException notIso) {
      // Reported below.
    }
    throw new UsageException(
        "--" + option + " takes an age such as 30m, 2h, 3d or 1w, was '" + text + "'");
  }

  /** A point in time: an age before {@code now} ({@code 2h}) or an ISO-8601 time. */
  static Instant time(String option, String text, Instant now) {
    String trimmed = text == null ? "" : text.trim();
    if (RELATIVE.matcher(trimmed).matches()) {
      return now.minus(age(option, trimmed));
    }
    try {
      return Instant.parse(trimmed);
    } catch (DateTimeParseException notInstant) {
      // Try the other forms.
    }
    try {
      return OffsetDateTime.parse(trimmed).toInstant();
    } catch (DateTimeParseException notOffset) {
      // Try the other forms.
    }
    try {
      return LocalDateTime.parse(trimmed).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException notLocal) {
      // Try the other forms.
    }
    try {
      return LocalDate.parse(trimmed).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException notDate) {
      throw new UsageException(
          "--"
              + option
              + " takes a time such as 2h, 3d or 2026-11-24T10:00:00Z, was '"
              + text
              + "'");
    }
  }

  /** A short age for people: {@code 45s}, {@code 12m}, {@code 3h}, {@code 2d}. */
  static String describe(Duration age) {
    long seconds = Math.max(0, age.toSeconds());
    if (seconds < 120) {
      return seconds + "s";
    }
    if (seconds < 2 * 3600) {
      return seconds / 60 + "m";
    }
    if (seconds < 2 * 86400) {
      return seconds / 3600 + "h";
    }
    return seconds / 86400 + "d";
  }
}
