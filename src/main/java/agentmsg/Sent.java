package agentmsg;

import java.util.List;

/**
 * What a send stored, and what its sender should know: each copy, each recipient's health when it
 * was stored, and whether this send was the last one its thread takes before the loop guard holds
 * it. Immutable.
 *
 * @param messages the stored messages: one, or each copy of a fan-out
 * @param recipients each recipient's health, in the order of {@code messages}; empty where the
 *     mailbox cannot tell (an original server)
 * @param heldThread the thread this send made the loop guard hold, or null
 * @param holdLimit the held thread's limit of agent messages in a row, or 0
 */
public record Sent(
    List<Message> messages, List<RecipientHealth> recipients, String heldThread, int holdLimit) {

  public Sent {
    messages = List.copyOf(messages);
    recipients = List.copyOf(recipients);
  }

  /** Stored messages without anything more to say. */
  public static Sent of(List<Message> messages) {
    return new Sent(messages, List.of(), null, 0);
  }

  /**
   * The notice for both sides of a thread the loop guard now holds, or null.
   *
   * @param thread the held thread
   * @param limit its limit of consecutive agent messages, or 0 if not known
   */
  public static String heldNotice(String thread, int limit) {
    return "thread "
        + thread
        + " is held: "
        + (limit > 0 ? limit + " agent messages" : "its limit of agent messages")
        + " in a row with no human in between; a message from a human releases it"
        + " (or raise its limit: agent-msg thread "
        + thread
        + " --hold-after <n>)";
  }
}
