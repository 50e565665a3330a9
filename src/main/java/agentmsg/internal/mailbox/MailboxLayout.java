package agentmsg.internal.mailbox;

import agentmsg.AgentNames;
import java.nio.file.Path;

/**
 * Where things live under a data home. Agent names are checked against {@link AgentNames} before
 * they become folder names, so no path can leave the home. Immutable.
 */
public record MailboxLayout(Path home) {

  public MailboxLayout {
    home = home.toAbsolutePath().normalize();
  }

  /** Folder of the messages delivered to {@code agent}: what readers watch. */
  public Path inbox(String agent) {
    return home.resolve("inbox").resolve(AgentNames.requireValid(agent));
  }

  /** Folder of the messages sent by {@code agent}. */
  public Path outbox(String agent) {
    return home.resolve("outbox").resolve(AgentNames.requireValid(agent));
  }

  /** Where files are written before being moved into place, outside every watched folder. */
  public Path tmp() {
    return home.resolve("tmp");
  }

  /** Where malformed files dropped into {@code agent}'s inbox are moved, with a reason. */
  public Path rejected(String agent) {
    return home.resolve("rejected").resolve(AgentNames.requireValid(agent));
  }

  /**
   * Folder of the receipts for {@code agent}'s sent messages: a reader that marks them read, acked
   * or surfaced rewrites a small file here, which wakes a sender waiting with {@code --wait-read}
   * or {@code --wait-ack}. One file per reader, so it never grows with the number of messages.
   */
  public Path receipts(String agent) {
    return home.resolve("receipts").resolve(AgentNames.requireValid(agent));
  }

  /** The receipt file that {@code reader} rewrites in {@code sender}'s receipts folder. */
  public Path receiptFile(String sender, String reader) {
    return receipts(sender).resolve(AgentNames.requireValid(reader) + ".json");
  }

  /** The mirror file of message {@code id} in {@code agent}'s inbox. */
  public Path inboxFile(String agent, String id) {
    return inbox(agent).resolve(id + ".json");
  }

  /** The mirror file of message {@code id} in {@code agent}'s outbox. */
  public Path outboxFile(String agent, String id) {
    return outbox(agent).resolve(id + ".json");
  }
}
