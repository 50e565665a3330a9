package agentmsg.server;

import agentmsg.Priority;
import agentmsg.internal.store.DeliveryRows.Row;
import agentmsg.internal.store.FanOut;
import agentmsg.internal.wire.ClientFrame;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** What connections hand {@link GroupWriter}: each is applied in a batch's one transaction. */
sealed interface WriterTask {
  /** A connection said hello as {@code agent}: registered if new, then welcomed. */
  record Register(Connection connection, String agent) implements WriterTask {}

  /** Not a record: equal frames from one connection are still two sends. */
  final class Send implements WriterTask {
    private final Connection connection;
    private final ClientFrame.Send frame;
    private final String id;

    Send(Connection connection, ClientFrame.Send frame, String id) {
      this.connection = connection;
      this.frame = frame;
      this.id = id;
    }

    Connection connection() {
      return connection;
    }

    ClientFrame.Send frame() {
      return frame;
    }

    String id() {
      return id;
    }

    String sender() {
      return connection.agent();
    }

    /** Whether it goes to {@code @all} or a group. */
    boolean fansOut() {
      return FanOut.addresses(frame.to());
    }

    /** Whether {@code row} was stored for this very send (not for an earlier one). */
    boolean owns(Row row) {
      return row.id().equals(fansOut() ? FanOut.copyId(id, row.recipient()) : id);
    }

    /** The priority the frame names; the connection checked it. */
    Priority priority() {
      return frame.priority() == null ? Priority.NORMAL : Priority.parse(frame.priority());
    }
  }

  /** The connection's agent acked messages (and read them, if {@code alsoRead}). */
  record Ack(Connection connection, List<String> ids, boolean alsoRead) implements WriterTask {}

  /** Counted down once everything queued before it is committed and answered. */
  record Flush(CountDownLatch done) implements WriterTask {}
}
