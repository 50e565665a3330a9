package agentmsg.server;

import agentmsg.internal.store.FanOut;
import agentmsg.internal.store.SendPipeline.Outcome;
import agentmsg.internal.store.StoredMessage;
import agentmsg.internal.wire.ServerFrame;
import agentmsg.internal.wire.Timestamps;
import agentmsg.server.WriterTask.Send;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Answers a WebSocket client's send with frames: {@code stored}, or an {@code error}. */
final class WireAnswer implements SendAnswer {
  private final Connection connection;

  WireAnswer(Connection connection) {
    this.connection = connection;
  }

  /** Stored (and delivered already, for a resend), or the error. */
  @Override
  public void answer(Send send, Outcome result) {
    if (result.failure() != null) {
      connection.sendError(
          result.failure().code(), result.failure().getMessage(), send.frame().clientId());
      return;
    }
    StoredMessage first = result.messages().get(0);
    String timestamp = Timestamps.format(Instant.ofEpochMilli(first.createdAtMillis()));
    if (send.fansOut()) {
      List<ServerFrame.Copy> copies = new ArrayList<>(result.messages().size());
      for (StoredMessage row : result.messages()) {
        copies.add(new ServerFrame.Copy(row.recipient(), row.id(), row.seq()));
      }
      connection.send(
          new ServerFrame.Stored(
              FanOut.base(first.id(), first.recipient()),
              send.frame().clientId(),
              0,
              send.frame().to(),
              timestamp,
              first.thread(),
              copies));
    } else {
      connection.send(
          new ServerFrame.Stored(
              first.id(), first.clientId(), first.seq(), first.recipient(), timestamp));
    }
    if (!result.fresh()) {
      for (StoredMessage row : result.messages()) {
        if (row.deliveredAtMillis() != null) {
          String id = connection.legacy() && row.clientId() != null ? row.clientId() : row.id();
          connection.send(
              new ServerFrame.Delivered(
                  id,
                  row.clientId(),
                  row.recipient(),
                  row.seq(),
                  Timestamps.format(Instant.ofEpochMilli(row.deliveredAtMillis()))));
        }
      }
    }
  }

  @Override
  public void notStored(Send send, String code, String message) {
    connection.sendError(code, message, send.frame().clientId());
  }
}
