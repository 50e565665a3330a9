package agentmsg.server.console;

import agentmsg.Message;
import agentmsg.internal.wire.ClientFrame;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The server's own send path, as the console's page uses it: a send is checked by the rules of a
 * WebSocket client's {@code send} frame, stored in the writer's group commit, and pushed to a
 * connected recipient at once. Thread-safe.
 */
public interface SendPath {
  /**
   * Checks {@code frame} as sent by {@code sender} without sending it.
   *
   * @throws agentmsg.internal.wire.FrameException with the wire's code for the first rule it breaks
   */
  void check(String sender, ClientFrame.Send frame);

  /**
   * Queues {@code frame} as sent by {@code sender}.
   *
   * @return the stored copies (one, or one per recipient of a fan-out), once committed; completed
   *     exceptionally with a {@link agentmsg.internal.wire.FrameException} for a send the wire
   *     refuses, or an {@link agentmsg.AgentMsgException} for one the store refuses (an unknown
   *     recipient) or could not store, each with the wire's code
   */
  CompletableFuture<List<Message>> send(String sender, ClientFrame.Send frame);
}
