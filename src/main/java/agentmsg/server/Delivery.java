package agentmsg.server;

import agentmsg.internal.store.StoredMessage;
import agentmsg.internal.wire.ServerFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.websocket.api.Callback;

/**
 * What has been pushed to one receiving connection and not yet acknowledged, and what waits for
 * room. At most {@code cap} messages are in flight; new ones from this server wait in memory (up to
 * {@code cap} more), beyond that in the store, marked by {@code backlog}: then the pusher pages
 * through the store's undelivered messages in order as acks free room. A message leaves the
 * in-flight set only once its ack is committed, so a store page never shows a message that is
 * neither in flight nor delivered, except for the moment between the two ({@code recent} covers
 * it). Nothing is pushed while the connection's queue of unread bytes is a quarter full ({@link
 * Target#hasPushRoom}): what would have been pushed stays in the store, and the pusher reads it
 * once the queue drains. Nothing is pushed before the connection's welcome: until its first read of
 * the store, which the pusher makes only once the welcome is out, every message is backlog.
 *
 * <p>A connection of the original protocol cannot ack: a push to it is only an attempt. The message
 * stays undelivered in the store, in flight for that connection only (so it is not pushed to it
 * twice), and the agent's next receiving connection gets it again.
 *
 * <p>Thread-safe: every method holds this object's lock; pushing never blocks.
 */
final class Delivery {
  /** Ids acked lately, so that a page read just before their commit does not push them again. */
  private static final int RECENT = 4096;

  private final Target connection;
  private final int cap;
  private final Map<String, StoredMessage> inFlight = new LinkedHashMap<>();
  private final ArrayDeque<StoredMessage> waiting = new ArrayDeque<>();
  private final Set<String> waitingIds = new HashSet<>();
  private final LinkedHashSet<String> recent = new LinkedHashSet<>();

  /** The store may hold undelivered messages that are neither in flight nor waiting. */
  private boolean backlog = true;

  /**
   * Read the backlog after the highest sequence number pushed, rather than from the start: cheap
   * paging while a fast sender outruns the recipient. A message another process committed late with
   * a lower number is found by the full read that ends every backlog.
   */
  private boolean cursor;

  private long maxPushedSeq;

  /**
   * The lowest sequence number another server said it stored for this agent since the last read
   * ({@link #hinted}), or {@link Long#MAX_VALUE}: the next read starts there instead of at the
   * start, so that a stream of messages from other servers costs a short read each, not a read of
   * everything in flight.
   */
  private long hintFrom = Long.MAX_VALUE;

  /** What a delivery needs of its connection: room, the protocol, and writing a push. */
  interface Target {
    /** Whether a push may be written now. If not, the pusher is asked again once there is room. */
    boolean hasPushRoom();

    /** Whether it speaks the original protocol, whose clients never ack. */
    boolean legacy();

    /** Writes a frame, never blocking; {@code callback} learns whether it was written. */
    void send(ServerFrame frame, Callback callback);

    /** A push of {@code row} was written to this original-protocol connection. */
    void handedOver(StoredMessage row);
  }

  Delivery(Target connection, int cap) {
    this.connection = connection;
    this.cap = cap;
  }

  /**
   * What the pusher should read next: undelivered messages after {@code afterSeq}, at most {@code
   * limit}.
   */
  record Page(long afterSeq, int limit, boolean hinted) {
    Page(long afterSeq, int limit) {
      this(afterSeq, limit, false);
    }
  }

  synchronized Page nextPage() {
    if (cursor) {
      return new Page(maxPushedSeq, Math.max(1, cap - inFlight.size()));
    }
    if (!backlog && hintFrom != Long.MAX_VALUE) {
      long from = hintFrom;
      hintFrom = Long.MAX_VALUE;
      return new Page(from - 1, Math.max(1, cap - inFlight.size()), true);
    }
    // From the start, the page holds what is in flight too; read past it.
    return new Page(0, 2 * cap + 64);
  }

  /**
   * Another server stored messages for this agent from sequence number {@code fromSeq} on (its
   * hint; {@link Cluster}).
   *
   * @return whether the pusher should read the store
   */
  synchronized boolean hinted(long fromSeq) {
    if (!backlog) {
      hintFrom = Math.min(hintFrom, fromSeq);
    }
    return true;
  }

  /**
   * A message this server just stored for this connection's agent.
   *
   * @return whether the pusher should read the store
   */
  synchronized boolean offer(StoredMessage row) {
    if (backlog) {
      return inFlight.size() < cap;
    }
    if (inFlight.containsKey(row.id()) || waitingIds.contains(row.id())) {
      return false;
    }
    if (inFlight.size() < cap && connection.hasPushRoom()) {
      push(row);
    } else if (inFlight.size() < cap) {
      spillToStore(); // the socket is backed up: the pusher reads it from the store once it drains
    } else if (waiting.size() < cap) {
      waiting.add(row);
      waitingIds.add(row.id());
    } else {
      spillToStore();
    }
    return false;
  }

  /**
   * A page of the store's undelivered messages to this agent, oldest first.
   *
   * @return whether to read the next page at once
   */
  synchronized boolean scanned(List<StoredMessage> rows, Page page) {
    if (!pushNew(rows)) {
      return false;
    }
    if (page.hinted()) {
      return scannedHinted(rows, page);
    }
    if (rows.size() < page.limit()) {
      if (page.afterSeq() > 0) {
        cursor = false; // the end of the backlog: one full read catches late commits
        return true;
      }
      backlog = false;
      return false;
    }
    backlog = true;
    cursor = true;
    return inFlight.size() < cap;
  }

  /**
   * A hinted page: the messages from the hint's number on. A full page means more than room: the
   * rest is read as a backlog, which ends in a full read as ever.
   */
  private boolean scannedHinted(List<StoredMessage> rows, Page page) {
    if (rows.size() >= page.limit()) {
      spillToStore();
      return inFlight.size() < cap;
    }
    return hintFrom != Long.MAX_VALUE;
  }

  /**
   * Pushes the rows of a page that are neither in flight, waiting nor acked lately.
   *
   * @return false if room ran out first: what is not in flight then stays in the store until acks
   *     (or the socket) free room
   */
  private boolean pushNew(List<StoredMessage> rows) {
    for (StoredMessage row : rows) {
      String id = row.id();
      if (inFlight.containsKey(id) || waitingIds.contains(id) || recent.contains(id)) {
        continue;
      }
      if (inFlight.size() >= cap || !connection.hasPushRoom()) {
        spillToStore();
        return false;
      }
      push(row);
    }
    return true;
  }

  /** The in-flight ids with a sequence number up to {@code seq}: a cumulative ack. */
  synchronized List<String> idsUpTo(long seq) {
    List<String> ids = new ArrayList<>();
    for (StoredMessage row : inFlight.values()) {
      if (row.seq() <= seq) {
        ids.add(row.id());
      }
    }
    return ids;
  }

  /** The in-flight rows among {@code ids}, by id: what an ack needs, without reading the store. */
  synchronized Map<String, StoredMessage> inFlightRows(Collection<String> ids) {
    Map<String, StoredMessage> rows = new HashMap<>();
    for (String id : ids) {
      StoredMessage row = inFlight.get(id);
      if (row != null) {
        rows.put(id, row);
      }
    }
    return rows;
  }

  /**
   * The acks of {@code ids} are committed: frees their room and pushes what waits.
   *
   * @return whether the pusher should read the store
   */
  synchronized boolean release(Collection<String> ids) {
    for (String id : ids) {
      if (inFlight.remove(id) != null) {
        recent.add(id);
      }
    }
    if (recent.size() > RECENT) {
      Iterator<String> oldest = recent.iterator();
      for (int excess = recent.size() - RECENT; excess > 0; excess--) {
        oldest.next();
        oldest.remove();
      }
    }
    while (inFlight.size() < cap && !waiting.isEmpty()) {
      if (!connection.hasPushRoom()) {
        spillToStore();
        break;
      }
      StoredMessage row = waiting.poll();
      waitingIds.remove(row.id());
      push(row);
    }
    return backlog && inFlight.size() < cap;
  }

  synchronized int inFlightCount() {
    return inFlight.size();
  }

  private void spillToStore() {
    backlog = true;
    cursor = true;
    waiting.clear();
    waitingIds.clear();
  }

  private void push(StoredMessage row) {
    inFlight.put(row.id(), row);
    maxPushedSeq = Math.max(maxPushedSeq, row.seq());
    ServerFrame.Push frame = ServerFrame.Push.of(row.message());
    if (connection.legacy()) {
      // The original's clients never ack: written to the socket is not delivered. The store keeps
      // it undelivered for the next receiving connection; an original sender hears it was handed
      // over, as the original server told it.
      connection.send(frame, Callback.from(() -> connection.handedOver(row), failure -> {}));
    } else {
      connection.send(frame, Callback.NOOP);
    }
  }
}
