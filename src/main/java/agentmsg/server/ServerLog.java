package agentmsg.server;

import agentmsg.json.Timestamps;
import java.io.PrintStream;
import java.time.Instant;

/**
 * The server's log: one line per event, prefixed with a UTC timestamp. Delivery lines are buffered
 * and flushed once per batch by the writer; other lines are flushed at once. Thread-safe.
 */
final class ServerLog {
  private final PrintStream out;
  private final boolean deliveries;

  ServerLog(PrintStream out, boolean deliveries) {
    this.out = out;
    this.deliveries = deliveries;
  }

  /** Logs one line and flushes it. */
  synchronized void line(String text) {
    out.println(Timestamps.format(Instant.now()) + " " + text);
    out.flush();
  }

  /** Logs one delivery line, unless delivery lines are off; {@link #flush} makes it visible. */
  synchronized void delivery(String text) {
    if (deliveries) {
      out.println(Timestamps.format(Instant.now()) + " " + text);
    }
  }

  synchronized void flush() {
    out.flush();
  }
}
