package agentmsg.server;

import agentmsg.AgentNames;
import agentmsg.RecipientHealth;
import agentmsg.internal.store.FanOut;
import agentmsg.internal.store.SendPipeline.Outcome;
import agentmsg.internal.store.StoredMessage;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.ServerFrame;
import agentmsg.json.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Answers a WebSocket client's send with frames: {@code stored}, or an {@code error}. */
final class WireAnswer implements SendAnswer {
  private final Connection connection;
  private final Hub hub;

  WireAnswer(Connection connection, Hub hub) {
    this.connection = connection;
    this.hub = hub;
  }

  /** Stored (and delivered already, for a resend), or the error. */
  @Override
  public void answer(ClientFrame.Send frame, Outcome result) {
    if (result.failure() != null) {
      connection.sendError(
          result.failure().code(), result.failure().getMessage(), frame.clientId());
      return;
    }
    StoredMessage first = result.messages().get(0);
    String timestamp = Timestamps.format(Instant.ofEpochMilli(first.createdAtMillis()));
    if (AgentNames.fansOut(frame.to())) {
      List<ServerFrame.Copy> copies = new ArrayList<>(result.messages().size());
      for (StoredMessage row : result.messages()) {
        copies.add(new ServerFrame.Copy(row.recipient(), row.id(), row.seq()));
      }
      connection.send(
          new ServerFrame.Stored(
              FanOut.base(first.id(), first.recipient()),
              frame.clientId(),
              0,
              frame.to(),
              timestamp,
              first.thread(),
              copies,
              health(result),
              result.heldThread() != null ? Boolean.TRUE : null));
    } else {
      connection.send(
          new ServerFrame.Stored(
              first.id(),
              first.clientId(),
              first.seq(),
              first.recipient(),
              timestamp,
              null,
              null,
              health(result),
              result.heldThread() != null ? Boolean.TRUE : null));
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

  /**
   * The recipients' health as the send pipeline read it, with "connected" from this server's own
   * connections (the store's presence lags them by the writer's queue).
   */
  private List<RecipientHealth> health(Outcome result) {
    List<RecipientHealth> health = new ArrayList<>(result.health().size());
    for (RecipientHealth recipient : result.health()) {
      health.add(
          new RecipientHealth(
              recipient.agent(),
              hub.isOnline(recipient.agent()) || (hub.shared() && recipient.connected()),
              recipient.wake(),
              recipient.wakeSeenAt(),
              recipient.lastSeenAt()));
    }
    return health;
  }

  @Override
  public void notStored(ClientFrame.Send frame, String code, String message) {
    connection.sendError(code, message, frame.clientId());
  }
}
