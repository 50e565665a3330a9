package agentmsg.server;

import agentmsg.AgentMsgException;
import agentmsg.Message;
import agentmsg.internal.Ids;
import agentmsg.internal.store.SendPipeline.Outcome;
import agentmsg.internal.store.StoredMessage;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameException;
import agentmsg.server.WriterTask.Send;
import agentmsg.server.console.SendPath;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The console's sends, queued on the writer like a connection's: the same {@link SendRules}, the
 * same group commit, the same pushes, receipts and mirror files; the answer completes a future
 * instead of going out as a {@code stored} frame. Thread-safe.
 */
final class ConsoleSendPath implements SendPath {
  private final ServerOptions options;
  private final SecurityCounters counters;
  private final WriterQueue writer;

  ConsoleSendPath(ServerOptions options, SecurityCounters counters, WriterQueue writer) {
    this.options = options;
    this.counters = counters;
    this.writer = writer;
  }

  @Override
  public void check(String sender, ClientFrame.Send frame) {
    SendRules.requireName(sender, "from", frame.clientId());
    SendRules.check(frame, options, counters);
  }

  @Override
  public CompletableFuture<List<Message>> send(String sender, ClientFrame.Send frame) {
    CompletableFuture<List<Message>> done = new CompletableFuture<>();
    try {
      check(sender, frame);
    } catch (FrameException e) {
      done.completeExceptionally(e);
      return done;
    }
    writer.send(new Send(sender, frame, Ids.newId(), new FutureAnswer(done)));
    return done;
  }

  /** Completes the page's future on the writer thread; the page's request then answers. */
  private static final class FutureAnswer implements SendAnswer {
    private final CompletableFuture<List<Message>> done;

    FutureAnswer(CompletableFuture<List<Message>> done) {
      this.done = done;
    }

    @Override
    public void answer(ClientFrame.Send frame, Outcome result) {
      if (result.failure() != null) {
        done.completeExceptionally(result.failure());
        return;
      }
      List<Message> stored = new ArrayList<>(result.messages().size());
      for (StoredMessage row : result.messages()) {
        stored.add(row.message());
      }
      done.complete(stored);
    }

    @Override
    public void notStored(ClientFrame.Send frame, String code, String message) {
      done.completeExceptionally(new AgentMsgException(code, message));
    }
  }
}
