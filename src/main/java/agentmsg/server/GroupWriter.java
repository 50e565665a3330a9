package agentmsg.server;

import agentmsg.AgentMsgException;
import agentmsg.AgentType;
import agentmsg.internal.store.AgentRows;
import agentmsg.internal.store.DeliveryRows;
import agentmsg.internal.store.DeliveryRows.NewRow;
import agentmsg.internal.store.DeliveryRows.Row;
import agentmsg.internal.store.FanOut;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.WordIndex;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.server.BatchOutcome.Result;
import agentmsg.server.WriterTask.Ack;
import agentmsg.server.WriterTask.Flush;
import agentmsg.server.WriterTask.Register;
import agentmsg.server.WriterTask.Send;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;

/**
 * Group commit: one thread ({@code agent-msg-writer}) takes every queued registration, send and ack
 * from all connections, applies them in one transaction, syncs the store to disk once, and only
 * then answers: {@code stored} to senders, pushes to recipients, {@code delivered} to the senders
 * of acked messages. Many messages share one sync, which is what makes durable and fast agree. A
 * send to {@code @all} or a group is one task, so all its copies are stored in the same batch.
 *
 * <p>A batch of acks alone is committed (the file has it: a crash of the server loses nothing) but
 * not synced: what a power cut could take back is only the state of messages that are themselves on
 * disk, which are then pushed again and dropped by the reader as already seen (at-least-once, by
 * id). Messages and registrations are always synced before anyone hears of them.
 *
 * <p>Thread-safe: any thread may queue; one thread writes.
 */
final class GroupWriter implements AutoCloseable {
  private static final int MAX_BATCH = 4096;

  /** How long the queue must stay empty before the writer indexes words (see {@link WordIndex}). */
  private static final long IDLE_MILLIS = 20;

  /** Messages whose words one indexing step takes: short, so that a send waits little behind it. */
  private static final int INDEX_STEP = 100;

  /** How often a sender's {@code last_seen_at} is written while it keeps sending. */
  private static final long TOUCH_EVERY_MILLIS = 1_000;

  private final Store store;
  private final Hub hub;
  private final MirrorQueue mirror;
  private final LinkedBlockingQueue<WriterTask> queue = new LinkedBlockingQueue<>();
  private final Set<String> knownAgents = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean stopping;

  /** When each sender's {@code last_seen_at} was last written; the writer thread's own. */
  private final Map<String, Long> touchedAt = new HashMap<>();

  /** Whether messages may be waiting for their words; written by the writer thread only. */
  private boolean wordsPending = true;

  GroupWriter(Store store, Hub hub, MirrorQueue mirror) {
    this.store = store;
    this.hub = hub;
    this.mirror = mirror;
    this.thread = new Thread(this::loop, "agent-msg-writer");
    thread.setDaemon(true);
  }

  void start() {
    try {
      store.run(DeliveryRows::reserveSeqs);
    } catch (RuntimeException e) {
      // Slower without it, never wrong.
      hub.log().line("warning: cannot enlarge the message sequence cache: " + e.getMessage());
    }
    thread.start();
  }

  /** Registers {@code agent} if it is new; then welcomes the connection and starts pushing. */
  void register(Connection connection, String agent) {
    queue.add(new Register(connection, agent));
  }

  void send(Connection connection, ClientFrame.Send frame, String id) {
    queue.add(new Send(connection, frame, id));
  }

  /** Marks messages delivered (and read, if {@code alsoRead}) for the connection's agent. */
  void ack(Connection connection, List<String> ids, boolean alsoRead) {
    if (!ids.isEmpty()) {
      queue.add(new Ack(connection, ids, alsoRead));
    }
  }

  /** Waits until everything queued before this call is committed and answered. */
  boolean flush(long timeoutMillis) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    queue.add(new Flush(done));
    return done.await(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void loop() {
    List<WriterTask> batch = new ArrayList<>();
    while (!stopping || !queue.isEmpty()) {
      try {
        WriterTask first = queue.poll(wordsPending ? IDLE_MILLIS : 200, TimeUnit.MILLISECONDS);
        if (first == null) {
          indexWords();
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        process(batch);
      } catch (InterruptedException e) {
        if (!stopping) {
          hub.log().line("writer interrupted; stopping");
        }
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        hub.log().line("writer failed on a batch of " + batch.size() + ": " + e);
      } finally {
        batch.clear();
      }
    }
  }

  /**
   * Indexes the words of messages stored earlier, a step at a time while nothing else is queued:
   * sends only list their messages for it, which keeps them fast. A search indexes whatever is left
   * before it queries, so this only saves searches that work.
   */
  private void indexWords() {
    while (wordsPending && queue.isEmpty() && !stopping) {
      try {
        if (store.call(handle -> WordIndex.indexSome(handle, INDEX_STEP)) < INDEX_STEP) {
          wordsPending = false;
        }
      } catch (RuntimeException e) {
        hub.log().line("warning: cannot index message words now, a search will: " + e.getMessage());
        wordsPending = false;
      }
    }
  }

  private void process(List<WriterTask> batch) {
    long now = System.currentTimeMillis();
    BatchOutcome outcome;
    try {
      int[] attempt = {0};
      boolean[] lookUp = {false};
      outcome =
          store.call(
              handle -> {
                attempt[0]++;
                boolean retry = attempt[0] > 1;
                BatchOutcome result;
                try {
                  result = handle.inTransaction(tx -> apply(tx, batch, now, retry, lookUp[0]));
                } catch (ClientIdReused e) {
                  lookUp[0] = true;
                  result = handle.inTransaction(tx -> apply(tx, batch, now, retry, true));
                }
                if (result.mustSync) {
                  store.checkpointSync(handle);
                }
                return result;
              });
    } catch (RuntimeException e) {
      BatchOutcome.fail(batch, e, hub);
      return;
    }
    knownAgents.addAll(outcome.agents);
    wordsPending |= outcome.wrote;
    outcome.publish(batch, hub, mirror, now);
  }

  /**
   * Applies a batch in {@code tx}. Client ids are new almost always, so the first attempt inserts
   * without looking them up and lets the unique key on (sender, client_id) catch a resend: then
   * {@link ClientIdReused} rolls the batch back and it is applied again with {@code lookUp}.
   *
   * @param retry whether an earlier attempt may have committed (a lost connection)
   * @param lookUp whether to look up the senders' client ids first
   */
  private BatchOutcome apply(
      Handle tx, List<WriterTask> batch, long now, boolean retry, boolean lookUp)
      throws SQLException {
    BatchOutcome out = new BatchOutcome();
    List<Send> sends = new ArrayList<>();
    Map<String, Set<String>> clientIdsBySender = new HashMap<>();
    Map<Connection, Map<Boolean, Set<String>>> acks = new LinkedHashMap<>();
    for (WriterTask task : batch) {
      if (task instanceof Register register) {
        ensureAgent(tx, register.agent(), now, out);
        out.wrote = true;
        out.mustSync = true;
      } else if (task instanceof Send send) {
        sends.add(send);
        // A fan-out looks its copies up itself (decideFanOut).
        if (send.frame().clientId() != null && !send.fansOut()) {
          clientIdsBySender
              .computeIfAbsent(send.sender(), name -> new HashSet<>())
              .add(send.frame().clientId());
        }
      } else if (task instanceof Ack ack) {
        acks.computeIfAbsent(ack.connection(), connection -> new HashMap<>())
            .computeIfAbsent(ack.alsoRead(), read -> new LinkedHashSet<>())
            .addAll(ack.ids());
      }
    }
    // A retry after a lost connection may find its own first attempt committed.
    Map<String, Row> ours = Map.of();
    if (retry && !sends.isEmpty()) {
      List<String> ids = new ArrayList<>(sends.size());
      for (Send send : sends) {
        if (!send.fansOut()) {
          ids.add(send.id());
        }
      }
      ours = DeliveryRows.byIds(tx, ids);
    }
    Map<String, Row> earlier = new HashMap<>();
    boolean lookingUp = lookUp || retry;
    for (Map.Entry<String, Set<String>> entry :
        lookingUp ? clientIdsBySender.entrySet() : Set.<Map.Entry<String, Set<String>>>of()) {
      for (Row row : DeliveryRows.byClientIds(tx, entry.getKey(), entry.getValue()).values()) {
        earlier.put(row.sender() + '\n' + row.clientId(), row);
      }
    }
    // Decide every send first, then insert the new ones in one batch.
    Decisions decisions = new Decisions();
    Set<String> senders = decisions.senders;
    Map<String, List<NewRow>> pending = decisions.pending;
    List<NewRow> fresh = decisions.fresh;
    Map<Send, List<NewRow>> decided = decisions.decided;
    for (Send send : sends) {
      if (send.fansOut()) {
        decideFanOut(tx, send, now, retry, out, decisions);
        continue;
      }
      String clientId = send.frame().clientId();
      String key = send.sender() + '\n' + clientId;
      Row row = ours.get(send.id());
      if (row != null) {
        out.results.put(send, new Result(List.of(row), true, null));
        continue;
      }
      row = clientId == null ? null : earlier.get(key);
      if (row != null) {
        out.results.put(send, new Result(List.of(row), false, null));
        continue;
      }
      List<NewRow> resent = clientId == null ? null : pending.get(key);
      if (resent != null) {
        decided.put(send, resent); // the same client id twice in one batch: one message
        continue;
      }
      String to = send.frame().to();
      if (!agentExists(tx, to, out)) {
        out.results.put(
            send,
            new Result(
                List.of(),
                false,
                new AgentMsgException(
                    "unknown-agent", "no agent named '" + to + "' (see: agent-msg list)")));
        continue;
      }
      ensureAgent(tx, send.sender(), now, out);
      senders.add(send.sender());
      NewRow created =
          new NewRow(
              send.id(),
              send.sender(),
              to,
              send.frame().message(),
              now,
              clientId,
              send.frame().thread(),
              send.frame().replyTo(),
              send.priority(),
              send.frame().subject());
      fresh.add(created);
      decided.put(send, List.of(created));
      if (clientId != null) {
        pending.put(key, List.of(created));
      }
    }
    Map<String, Long> seqs;
    try {
      seqs = DeliveryRows.insertAll(tx, fresh);
    } catch (SQLException e) {
      if (!lookingUp && !clientIdsBySender.isEmpty() && DeliveryRows.isDuplicateKey(e)) {
        throw new ClientIdReused(e);
      }
      throw e;
    }
    Map<NewRow, Row> inserted = new HashMap<>();
    for (NewRow row : fresh) {
      inserted.put(
          row,
          new Row(
              row.id(),
              seqs.get(row.id()),
              row.sender(),
              row.recipient(),
              row.body(),
              row.createdAtMillis(),
              row.clientId(),
              null,
              row.threadOrId(),
              row.replyTo(),
              row.subject(),
              row.priority(),
              false));
    }
    for (Map.Entry<Send, List<NewRow>> entry : decided.entrySet()) {
      Send send = entry.getKey();
      List<Row> rows = new ArrayList<>(entry.getValue().size());
      for (NewRow row : entry.getValue()) {
        rows.add(inserted.get(row));
      }
      // A second send with the same client id in this batch gets the first one's rows.
      out.results.put(send, new Result(rows, send.owns(rows.get(0)), null));
    }
    out.wrote |= !fresh.isEmpty();
    out.mustSync |= !fresh.isEmpty();
    for (String sender : senders) {
      // To the second: a sender in full flow does not rewrite its agent row in every batch.
      Long touched = touchedAt.get(sender);
      if (touched == null || now - touched >= TOUCH_EVERY_MILLIS) {
        AgentRows.touch(tx, sender, now);
        touchedAt.put(sender, now);
      }
    }
    for (Map.Entry<Connection, Map<Boolean, Set<String>>> byConnection : acks.entrySet()) {
      Connection connection = byConnection.getKey();
      String recipient = connection.agent();
      Delivery delivery = connection.delivery();
      for (Map.Entry<Boolean, Set<String>> byRead : byConnection.getValue().entrySet()) {
        List<String> changed =
            DeliveryRows.markDeliveredIds(tx, recipient, byRead.getValue(), now, byRead.getKey());
        out.wrote |= !changed.isEmpty();
        // The pushed rows are in memory; read only what this connection did not push.
        Map<String, Row> known = delivery == null ? Map.of() : delivery.inFlightRows(changed);
        List<String> unknown = new ArrayList<>();
        for (String id : changed) {
          if (!known.containsKey(id)) {
            unknown.add(id);
          }
        }
        Map<String, Row> read = unknown.isEmpty() ? Map.of() : DeliveryRows.byIds(tx, unknown);
        for (String id : changed) {
          Row row = known.containsKey(id) ? known.get(id) : read.get(id);
          if (row != null) {
            out.delivered.add(row);
          }
        }
      }
    }
    return out;
  }

  /**
   * Decides a fan-out as file mode would: the copies stored for its client id before (a resend, or
   * this batch's own first attempt on a retry), else one new copy per recipient, all in the batch's
   * one transaction; or the failure, with file mode's code. Its copies carry client ids made from
   * its own ({@link FanOut#copyClientId}), so the unique key guards each of them, and a resend is
   * found by a look-up here, not by a failed insert, whoever the recipients are now.
   */
  private void decideFanOut(
      Handle tx, Send send, long now, boolean retry, BatchOutcome out, Decisions decisions)
      throws SQLException {
    String clientId = send.frame().clientId();
    String key = send.sender() + "\n@" + clientId;
    if (clientId != null) {
      List<NewRow> resent = decisions.pending.get(key);
      if (resent != null) {
        decisions.decided.put(send, resent); // the same client id twice in one batch: one fan-out
        return;
      }
      List<Row> copies = DeliveryRows.copiesByClientId(tx, send.sender(), clientId);
      if (!copies.isEmpty()) {
        out.results.put(send, new Result(copies, send.owns(copies.get(0)), null));
        return;
      }
    }
    List<String> recipients;
    try {
      recipients = FanOut.recipients(tx, send.frame().to(), send.sender());
    } catch (AgentMsgException e) {
      out.results.put(send, new Result(List.of(), false, e));
      return;
    }
    if (retry && clientId == null) {
      List<String> ids = new ArrayList<>(recipients.size());
      for (String recipient : recipients) {
        ids.add(FanOut.copyId(send.id(), recipient));
      }
      List<Row> ours = new ArrayList<>(DeliveryRows.byIds(tx, ids).values());
      if (!ours.isEmpty()) {
        ours.sort(Comparator.comparingLong(Row::seq));
        out.results.put(send, new Result(ours, true, null));
        return;
      }
    }
    ensureAgent(tx, send.sender(), now, out);
    decisions.senders.add(send.sender());
    String thread = FanOut.thread(send.id(), send.frame().thread());
    List<NewRow> copies = new ArrayList<>(recipients.size());
    for (String recipient : recipients) {
      copies.add(
          new NewRow(
              FanOut.copyId(send.id(), recipient),
              send.sender(),
              recipient,
              send.frame().message(),
              now,
              clientId == null ? null : FanOut.copyClientId(clientId, recipient),
              thread,
              send.frame().replyTo(),
              send.priority(),
              send.frame().subject()));
    }
    decisions.fresh.addAll(copies);
    decisions.decided.put(send, copies);
    if (clientId != null) {
      decisions.pending.put(key, copies);
    }
  }

  private boolean agentExists(Handle tx, String name, BatchOutcome out) {
    if (knownAgents.contains(name) || out.agents.contains(name)) {
      return true;
    }
    if (AgentRows.exists(tx, name)) {
      out.agents.add(name);
      return true;
    }
    return false;
  }

  private void ensureAgent(Handle tx, String name, long now, BatchOutcome out) {
    if (!agentExists(tx, name, out)) {
      AgentRows.upsert(tx, name, AgentType.OTHER, now);
      out.agents.add(name);
    }
  }

  /** Stops after committing and answering everything queued. */
  @Override
  public void close() {
    stopping = true;
    queue.add(new Flush(new CountDownLatch(1))); // wakes the loop, which then ends
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The sends of a batch decided so far: the new rows to insert and who sent them. */
  private static final class Decisions {
    final Set<String> senders = new LinkedHashSet<>();

    /** The rows a client id of this batch got, by sender and client id. */
    final Map<String, List<NewRow>> pending = new HashMap<>();

    final List<NewRow> fresh = new ArrayList<>();
    final Map<Send, List<NewRow>> decided = new HashMap<>();
  }

  /** A send of the batch reused a client id stored before: the batch must look them up. */
  private static final class ClientIdReused extends RuntimeException {
    ClientIdReused(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
