package agentmsg;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a send tells its sender about one recipient, seen when the message was stored: whether the
 * recipient has a live receiving connection to the server now, whether something that wakes it was
 * seen recently (a {@code hook} call, or an armed {@code watch}), and when it was last seen at all.
 * When neither holds, nothing will wake it: it sees the message the next time it reads its inbox.
 * Immutable.
 *
 * @param agent the recipient
 * @param connected whether it has a receiving connection to the server now
 * @param wake {@link #HOOK}, {@link #WATCH}, or null when no wake path was seen within {@link
 *     #WAKE_WINDOW}
 * @param wakeSeenAt when that wake path was last seen (a watch: when its lifetime ends), or null
 * @param lastSeenAt when the agent last sent, read or registered, or null if unknown
 */
public record RecipientHealth(
    String agent, boolean connected, String wake, Instant wakeSeenAt, Instant lastSeenAt) {

  /** A {@code hook} call (the agent's CLI runs it on prompts and tool calls) seen recently. */
  public static final String HOOK = "hook";

  /** An armed {@code agent-msg watch}, which exits and wakes the agent when mail comes. */
  public static final String WATCH = "watch";

  /** How recent a hook call must be to count as a wake path. */
  public static final Duration WAKE_WINDOW = Duration.ofMinutes(10);

  /** At most this many asleep recipients are named in the line for a fan-out. */
  static final int NAMED_ASLEEP = 5;

  public RecipientHealth {
    Objects.requireNonNull(agent, "agent");
  }

  /** Whether something will bring the message to the recipient soon. */
  public boolean awake() {
    return connected || wake != null;
  }

  /**
   * One short line for a recipient that nothing will wake, e.g. {@code bob: last seen 2 days ago,
   * nothing will wake it; it will see this on its next inbox}; null when it is awake.
   */
  public String warning(Instant now) {
    if (awake()) {
      return null;
    }
    return agent + ": " + seen(now) + ", nothing will wake it; it will see this on its next inbox";
  }

  /**
   * The line for the recipients of one send, or null when every one is awake: {@link #warning} for
   * one recipient; for a fan-out, the count awake and asleep and the first few asleep ones.
   */
  public static String summary(List<RecipientHealth> recipients, Instant now) {
    List<RecipientHealth> asleep = new ArrayList<>();
    for (RecipientHealth recipient : recipients) {
      if (!recipient.awake()) {
        asleep.add(recipient);
      }
    }
    if (asleep.isEmpty()) {
      return null;
    }
    if (recipients.size() == 1) {
      return asleep.get(0).warning(now);
    }
    StringBuilder line =
        new StringBuilder()
            .append(recipients.size() - asleep.size())
            .append(" awake, ")
            .append(asleep.size())
            .append(" with nothing to wake them (");
    for (int i = 0; i < Math.min(NAMED_ASLEEP, asleep.size()); i++) {
      RecipientHealth recipient = asleep.get(i);
      line.append(i == 0 ? "" : "; ")
          .append(recipient.agent())
          .append(": ")
          .append(recipient.seen(now));
    }
    if (asleep.size() > NAMED_ASLEEP) {
      line.append("; and ").append(asleep.size() - NAMED_ASLEEP).append(" more");
    }
    return line.append("); they will see this on their next inbox").toString();
  }

  private String seen(Instant now) {
    return lastSeenAt == null ? "never seen" : "last seen " + ago(lastSeenAt, now);
  }

  /** {@code just now}, {@code 5 minutes ago}, {@code 3 hours ago}, {@code 2 days ago}. */
  static String ago(Instant then, Instant now) {
    long seconds = Math.max(0, Duration.between(then, now).toSeconds());
    if (seconds < 60) {
      return "just now";
    }
    long[] sizes = {60, 3600, 86_400};
    String[] names = {"minute", "hour", "day"};
    int unit = seconds < 3600 ? 0 : seconds < 86_400 ? 1 : 2;
    long count = seconds / sizes[unit];
    return count + " " + names[unit] + (count == 1 ? "" : "s") + " ago";
  }
}
