package agentmsg.server;

import agentmsg.internal.store.SendPipeline.Outcome;
import agentmsg.server.WriterTask.Send;

/**
 * Who hears what became of a queued send, told by the writer thread once its batch is committed (or
 * has failed): a WebSocket connection ({@link WireAnswer}) or the console's page. Called on the
 * writer thread only; an implementation must not block.
 */
interface SendAnswer {
  /** The batch was committed: {@code result} holds the stored copies, or why this send failed. */
  void answer(Send send, Outcome result);

  /** The batch failed as a whole: nothing of {@code send} was stored. */
  void notStored(Send send, String code, String message);
}
