package agentmsg.cli;

import agentmsg.Message;
import agentmsg.json.MessageJson;
import agentmsg.json.Timestamps;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;

/**
 * How {@code thread}, {@code history} and {@code status} print messages: with sender and recipient,
 * since they list conversations rather than one inbox. Still framed as messages between agents.
 */
final class Listing {
  private Listing() {}

  static void messages(PrintStream out, List<Message> messages, boolean json) {
    for (Message message : messages) {
      if (json) {
        out.println(MessageJson.toLine(message));
        continue;
      }
      out.println(
          "["
              + Timestamps.format(message.timestamp())
              + "] "
              + message.from()
              + " -> "
              + message.to()
              + " (id "
              + message.id()
              + Output.conversation(message)
              + ", "
              + message.status().id()
              + "):");
      if (message.subject() != null) {
        out.println("Subject: " + message.subject());
      }
      out.println(message.body());
      out.println();
    }
    out.flush();
  }

  /** One line per receipt of a message: {@code stored ..., delivered -, read ..., ...}. */
  static String receipts(Message message) {
    return "stored "
        + time(message.timestamp())
        + ", delivered "
        + time(message.deliveredAt())
        + ", surfaced "
        + time(message.surfacedAt())
        + ", read "
        + time(message.readAt())
        + ", acked "
        + time(message.ackedAt());
  }

  private static String time(Instant at) {
    return at == null ? "-" : Timestamps.format(at);
  }

  /** The first line of a body, cut to {@code max} characters. */
  static String preview(String body, int max) {
    String first = body.strip();
    int newline = first.indexOf('\n');
    if (newline >= 0) {
      first = first.substring(0, newline) + " ...";
    }
    return first.length() <= max ? first : first.substring(0, max - 3) + "...";
  }

  /** A {@code --json} message line with extra fields (names and values need no escaping). */
  static String jsonWith(Message message, String extraFields) {
    String line = MessageJson.toLine(message);
    return line.substring(0, line.length() - 1) + "," + extraFields + "}";
  }
}
