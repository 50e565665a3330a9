package agentmsg.internal.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * A range of sequence numbers ({@code after < seq < before}) that holds every message stored in a
 * time window, found with one look-up each end on the {@code created_at} index. History walks its
 * indexes in seq order, so a window bounds that walk instead of filtering a scan.
 *
 * <p>Sequence numbers grow with {@code created_at} except for messages whose insert waited (a busy
 * store, a retry) or a clock that stepped back; {@link #SLACK} covers that: each end is taken from
 * a message stored at least that long outside the window. The range may hold messages outside the
 * window (the query still checks {@code created_at}); it only has to miss none inside it.
 *
 * @param after every message of the window has a larger seq
 * @param before every message of the window has a smaller seq
 */
record SeqRange(long after, long before) {
  /** How far out of {@code created_at} order a message may be stored and still be found. */
  static final Duration SLACK = Duration.ofHours(1);

  /** The range of {@code [since, until)}; either may be null (unbounded). */
  static SeqRange of(Handle handle, Instant since, Instant until) {
    long after = Long.MIN_VALUE;
    long before = Long.MAX_VALUE;
    if (since != null) {
      // A message created more than SLACK before the window: every message with a smaller seq was
      // created at most SLACK after it, so before since; the window starts after its seq.
      after =
          lookUp(
                  handle,
                  "SELECT seq FROM message WHERE created_at < :t ORDER BY created_at DESC LIMIT 1",
                  minus(since.toEpochMilli(), SLACK.toMillis()))
              .orElse(Long.MIN_VALUE);
    }
    if (until != null) {
      // Likewise a message created more than SLACK after the window ends it.
      before =
          lookUp(
                  handle,
                  "SELECT seq FROM message WHERE created_at >= :t ORDER BY created_at LIMIT 1",
                  plus(until.toEpochMilli(), SLACK.toMillis()))
              .orElse(Long.MAX_VALUE);
    }
    return new SeqRange(after, before);
  }

  /** Whether no sequence number fits. */
  boolean isEmpty() {
    return after != Long.MIN_VALUE && before != Long.MAX_VALUE && before - after <= 1;
  }

  private static Optional<Long> lookUp(Handle handle, String sql, long millis) {
    return handle.createQuery(sql).bind("t", millis).mapTo(Long.class).findOne();
  }

  private static long minus(long millis, long slack) {
    return millis < Long.MIN_VALUE + slack ? Long.MIN_VALUE : millis - slack;
  }

  private static long plus(long millis, long slack) {
    return millis > Long.MAX_VALUE - slack ? Long.MAX_VALUE : millis + slack;
  }
}
