package agentmsg.server;

import agentmsg.Agent;
import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import agentmsg.HistoryQuery;
import agentmsg.Message;
import agentmsg.internal.store.ServerStore;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameException;
import agentmsg.internal.wire.ServerFrame;
import agentmsg.json.MessageJson;
import agentmsg.json.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Answers the read requests ({@code list}, {@code history}, {@code status}) on its own thread
 * ({@code agent-msg-read}) and its own store connection, so that a read never waits behind the
 * writer's group commits or the pusher, nor they behind a read. A connection reads only what its
 * agent sent or received: the history query is the agent's own, and a {@code status} of anyone
 * else's message is answered as if there were none. Every answer is bounded in rows and in bytes.
 * Thread-safe.
 */
final class Reads implements AutoCloseable {
  /** Messages one {@code history} answer holds at most; the default when none is asked. */
  static final int MAX_HISTORY = 500;

  static final int DEFAULT_HISTORY = 20;

  /** Agents one {@code agents} answer holds at most. */
  static final int MAX_AGENTS = 1_000;

  /** Copies of a fan-out one {@code status} answer holds at most. */
  static final int MAX_COPIES = 1_000;

  /**
   * The JSON bytes of messages in one answer, beyond the first: a client reads frames up to 16 MiB,
   * and one message of 1 MB may take 6 MB as JSON.
   */
  static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;

  /** Requests waiting at most; beyond it a request is refused with {@code busy}. */
  private static final int QUEUE = 256;

  private final ServerStore store;
  private final ServerLog log;
  private final ThreadPoolExecutor executor;

  Reads(ServerStore store, ServerLog log) {
    this.store = store;
    this.log = log;
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            task -> {
              Thread thread = new Thread(task, "agent-msg-read");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Queues a read request of {@code connection}'s agent; answers {@code busy} if it is full. */
  void submit(Connection connection, ClientFrame request, String ref) {
    try {
      executor.execute(() -> answer(connection, request, ref));
    } catch (RejectedExecutionException e) {
      connection.sendError(
          "busy", "the server has too many reads queued; ask again in a moment", ref);
    }
  }

  private void answer(Connection connection, ClientFrame request, String ref) {
    if (!connection.isOpen()) {
      return;
    }
    try {
      connection.send(read(connection.agent(), request));
    } catch (FrameException e) {
      connection.sendError(e.code(), e.getMessage(), ref);
    } catch (AgentMsgException e) {
      connection.sendError(e.code(), e.getMessage(), ref);
    } catch (RuntimeException e) {
      log.line("read failed for " + connection.describe() + ": " + e);
      connection.sendError("store-unavailable", "the read failed, ask again: " + e, ref);
    }
  }

  /** The answer to {@code request} for {@code agent}. */
  ServerFrame read(String agent, ClientFrame request) {
    if (request instanceof ClientFrame.ListAgents list) {
      List<Agent> all = store.agents();
      boolean truncated = all.size() > MAX_AGENTS;
      return new ServerFrame.Agents(
          list.ref(), truncated ? List.copyOf(all.subList(0, MAX_AGENTS)) : all, truncated);
    }
    if (request instanceof ClientFrame.History history) {
      return history(agent, history);
    }
    if (request instanceof ClientFrame.Status status) {
      return status(agent, status);
    }
    throw new IllegalArgumentException("not a read request: " + request);
  }

  private ServerFrame history(String agent, ClientFrame.History request) {
    String ref = request.ref();
    int limit = request.limit() == null ? DEFAULT_HISTORY : request.limit();
    if (limit < 1 || limit > MAX_HISTORY) {
      throw new FrameException(
          "invalid-field",
          "field 'limit' must be between 1 and " + MAX_HISTORY + ", was " + limit,
          ref);
    }
    if (request.with() != null && !AgentNames.isValid(request.with())) {
      throw new FrameException(
          "invalid-agent-name",
          "field 'with' is not a valid agent name: '" + request.with() + "'",
          ref);
    }
    if (request.thread() != null && !AgentNames.isValid(request.thread())) {
      throw new FrameException("invalid-id", "field 'thread' is not a valid id", ref);
    }
    String search =
        request.search() == null || request.search().isBlank() ? null : request.search();
    HistoryQuery query =
        HistoryQuery.newest(limit)
            .withPeer(request.with())
            .withSince(instant(request.since(), "since", ref))
            .withUntil(instant(request.until(), "until", ref))
            .withText(search)
            // A message id names its thread, but only a message this agent may see.
            .withThread(request.thread());
    List<Message> found;
    try {
      found = store.visibleHistory(agent, query);
    } catch (IllegalArgumentException e) {
      throw new FrameException("invalid-field", e.getMessage(), ref);
    }
    List<Message> kept = withinBudget(found);
    return new ServerFrame.History(ref, kept, kept.size() < found.size());
  }

  private ServerFrame status(String agent, ClientFrame.Status request) {
    String id = request.id();
    if (!AgentNames.isValid(id)) {
      throw new FrameException("invalid-id", "field 'id' is not a valid message id", request.ref());
    }
    List<Message> visible = new ArrayList<>();
    for (Message copy : store.messageOrThread(id)) {
      if (involves(copy, agent)) {
        visible.add(copy);
      }
    }
    if (visible.isEmpty()) {
      // The same answer whether it does not exist or belongs to others: no probing for ids.
      throw new FrameException(
          "unknown-message",
          "no message with id '" + id + "' sent or received by '" + agent + "'",
          request.ref());
    }
    List<Message> capped = visible.size() > MAX_COPIES ? visible.subList(0, MAX_COPIES) : visible;
    List<Message> kept = withinBudget(capped);
    return new ServerFrame.Status(request.ref(), id, kept, kept.size() < visible.size());
  }

  private static boolean involves(Message message, String agent) {
    return message.from().equals(agent) || message.to().equals(agent);
  }

  /** The first messages whose JSON fits {@link #MAX_ANSWER_BYTES}; always the first one. */
  private static List<Message> withinBudget(List<Message> messages) {
    List<Message> kept = new ArrayList<>(messages.size());
    long bytes = 0;
    for (Message message : messages) {
      bytes += MessageJson.toLine(message).getBytes(StandardCharsets.UTF_8).length;
      if (!kept.isEmpty() && bytes > MAX_ANSWER_BYTES) {
        break;
      }
      kept.add(message);
    }
    return kept;
  }

  private static Instant instant(String text, String field, String ref) {
    if (text == null) {
      return null;
    }
    try {
      return Timestamps.parse(text);
    } catch (IllegalArgumentException e) {
      throw new FrameException(
          "invalid-field",
          "field '" + field + "' must be an ISO-8601 time, was '" + text + "'",
          ref);
    }
  }

  /** Stops taking requests and waits briefly for the one running. */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
