package agentmsg.server;

import agentmsg.MessageDraft;
import agentmsg.Priority;
import agentmsg.internal.store.SendPipeline;
import agentmsg.internal.wire.ClientFrame;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** What connections hand {@link GroupWriter}: each is applied in a batch's one transaction. */
sealed interface WriterTask {
  /** A connection said hello as {@code agent}: registered if new, then welcomed. */
  record Register(Connection connection, String agent) implements WriterTask {}

  /** Not a record: equal frames from one connection are still two sends. */
  final class Send implements WriterTask {
    private final String sender;
    private final ClientFrame.Send frame;
    private final String id;
    private final SendAnswer answer;

    /**
     * @param sender the agent it is sent as, checked by whoever queues it
     * @param frame the send, checked by {@link SendRules}
     * @param id the id it gets
     * @param answer who is told once it is stored or failed
     */
    Send(String sender, ClientFrame.Send frame, String id, SendAnswer answer) {
      this.sender = sender;
      this.frame = frame;
      this.id = id;
      this.answer = answer;
    }

    SendAnswer answer() {
      return answer;
    }

    ClientFrame.Send frame() {
      return frame;
    }

    String id() {
      return id;
    }

    String sender() {
      return sender;
    }

    /** What the send pipeline stores for it; {@code retry}: an earlier attempt may have. */
    SendPipeline.Submission submission(boolean retry) {
      MessageDraft draft =
          new MessageDraft(
              frame.to(),
              frame.message(),
              null,
              frame.thread(),
              frame.replyTo(),
              frame.subject(),
              // The connection checked the priority's name.
              frame.priority() == null ? Priority.NORMAL : Priority.parse(frame.priority()),
              frame.ackRequired());
      return new SendPipeline.Submission(sender(), draft, id, frame.clientId(), retry);
    }
  }

  /** The connection's agent acked messages (and read them, if {@code alsoRead}). */
  record Ack(Connection connection, List<String> ids, boolean alsoRead) implements WriterTask {}

  /**
   * {@code agent} has a receiving connection since {@code since}, from client {@code instance}
   * (null if it gave none), or none any more (a null {@code since}): what a file-mode send reads as
   * the recipient's "connected", and what the other servers of a shared database check before they
   * take a receiving connection of the same agent (committed, never synced: a crash loses a
   * presence that the next server start clears anyway).
   */
  record Presence(String agent, String instance, Long since) implements WriterTask {}

  /** Counted down once everything queued before it is committed and answered. */
  record Flush(CountDownLatch done) implements WriterTask {}
}
