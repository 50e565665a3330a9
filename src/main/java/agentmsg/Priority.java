package agentmsg;

import java.util.Locale;

/** How important a message is. {@code inbox --urgent} shows {@link #HIGH} and {@link #URGENT}. */
public enum Priority {
  LOW(0),
  NORMAL(1),
  HIGH(2),
  URGENT(3);

  // Stored in the database: a rank must not change when a constant is added or moved.
  private final int rank;

  Priority(int rank) {
    this.rank = rank;
  }

  /** The lower-case name used in text, JSON and on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The stored rank: 0 for low up to 3 for urgent. */
  public int rank() {
    return rank;
  }

  /** The priority of a stored rank; out-of-range ranks are clamped. */
  public static Priority ofRank(int rank) {
    Priority[] all = values();
    return all[Math.max(0, Math.min(all.length - 1, rank))];
  }

  /**
   * Parses {@code low}, {@code normal}, {@code high} or {@code urgent} (any case).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Priority parse(String text) {
    for (Priority priority : values()) {
      if (priority.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return priority;
      }
    }
    throw new IllegalArgumentException(
        "unknown priority '" + text + "' (use low, normal, high or urgent)");
  }
}
