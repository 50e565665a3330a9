package agentmsg.server;

import agentmsg.internal.store.SendPipeline.Outcome;
import agentmsg.internal.wire.ClientFrame;

/**
 * Who hears what became of a queued send, told by the writer thread once its batch is committed (or
 * has failed): a WebSocket connection ({@link WireAnswer}) or the console's page. Called on the
 * writer thread only; an implementation must not block.
 */
interface SendAnswer {
  /**
   * The batch was committed: {@code result} holds the stored copies of the send {@code frame}, or
   * why it failed.
   */
  void answer(ClientFrame.Send frame, Outcome result);

  /** The batch failed as a whole: nothing of the send {@code frame} was stored. */
  void notStored(ClientFrame.Send frame, String code, String message);
}
