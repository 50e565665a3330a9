package agentmsg.server;

import agentmsg.AgentMsgException;
import agentmsg.internal.store.SendPipeline.Outcome;
import agentmsg.internal.store.StoredMessage;
import agentmsg.json.Timestamps;
import agentmsg.server.WriterTask.Ack;
import agentmsg.server.WriterTask.Flush;
import agentmsg.server.WriterTask.Register;
import agentmsg.server.WriterTask.Send;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * What a batch of {@link GroupWriter} came to, filled in by its transaction, and the telling of it
 * once committed: pushes, {@code stored}, {@code delivered}, welcomes, mirror files, the log. Used
 * by the writer thread only.
 */
final class BatchOutcome {
  /** What became of each send of the batch. */
  final Map<Send, Outcome> results = new HashMap<>();

  /** The messages its acks marked delivered: their senders are told. */
  final List<StoredMessage> delivered = new ArrayList<>();

  /** The agents it found or registered, remembered by the writer. */
  final Set<String> agents = new HashSet<>();

  /** Whether it wrote to the store: once idle, the writer indexes the words of new messages. */
  boolean wrote;

  /** Whether the batch stored a message or an agent: then it is synced before it is answered. */
  boolean mustSync;

  /**
   * Answers a committed batch. What someone is waiting on goes out first: pushes to recipients and
   * {@code delivered} to senders, then {@code stored} and the rest in queue order, then the mirror
   * files and the log. A connection still sees {@code stored} before the {@code delivered} of the
   * same message (its ack can only come in a later batch), and a recipient gets the batch's
   * messages in the order of their sequence numbers, which cumulative acks rely on (a message to
   * oneself may so arrive before its {@code stored}).
   */
  void publish(
      List<WriterTask> batch, Hub hub, Pusher pusher, MirrorQueue mirror, ServerLog log, long now) {
    List<StoredMessage> fresh = new ArrayList<>();
    for (WriterTask task : batch) {
      if (task instanceof Send send) {
        Outcome result = results.get(send);
        if (result.failure() == null && result.fresh()) {
          for (StoredMessage row : result.messages()) {
            fresh.add(row);
            hub.offer(row);
          }
        }
      }
    }
    for (StoredMessage row : delivered) {
      hub.delivered(row, now);
    }
    for (WriterTask task : batch) {
      if (task instanceof Send send) {
        send.answer().answer(send.frame(), results.get(send));
      } else if (task instanceof Register register) {
        register.connection().welcome();
        pusher.request(register.connection());
      } else if (task instanceof Ack ack) {
        Delivery delivery = ack.connection().delivery();
        if (delivery != null && delivery.release(ack.ids())) {
          pusher.request(ack.connection());
        }
      } else if (task instanceof Flush flush) {
        flush.done().countDown();
      }
    }
    for (StoredMessage row : fresh) {
      mirror.add(row);
    }
    String at = Timestamps.format(Instant.ofEpochMilli(now));
    Set<String> receipts = new HashSet<>();
    for (StoredMessage row : delivered) {
      if (receipts.add(row.sender() + "\n" + row.recipient())) {
        mirror.receipt(row.sender(), row.recipient(), now);
      }
      log.delivery(
          "delivered " + row.id() + " " + row.sender() + " -> " + row.recipient() + " at " + at);
    }
    log.flush();
  }

  /** Tells everyone in a batch that failed: senders to send again, acks released. */
  static void fail(List<WriterTask> batch, RuntimeException failure, ServerLog log) {
    String code = failure instanceof AgentMsgException known ? known.code() : "store-unavailable";
    log.line("store failure on a batch of " + batch.size() + ": " + failure.getMessage());
    for (WriterTask task : batch) {
      if (task instanceof Send send) {
        send.answer()
            .notStored(
                send.frame(),
                code,
                "not stored, send again (same clientId): " + failure.getMessage());
      } else if (task instanceof Register register) {
        register.connection().sendError(code, "cannot register: " + failure.getMessage(), null);
        register.connection().close(StatusCode.SERVER_ERROR, code);
      } else if (task instanceof Ack ack) {
        // Not marked delivered: released, so the next page of undelivered messages resends them.
        Delivery delivery = ack.connection().delivery();
        if (delivery != null) {
          delivery.release(ack.ids());
        }
      } else if (task instanceof Flush flush) {
        flush.done().countDown();
      }
    }
  }
}
