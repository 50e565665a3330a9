package agentmsg.internal.store;

import agentmsg.AgentMsgException;
import agentmsg.AgentType;
import agentmsg.MessageDraft;
import agentmsg.UnknownAgentException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The one way a send becomes stored messages, for the local messenger and the server's group commit
 * alike: find what an id or client id stored before, resolve the recipients (one agent,
 * {@code @all}, {@code @<group>}: {@link FanOut}), register an unknown sender, build one row per
 * copy, insert them all in one batch with their acks owed and word-index listing ({@link
 * DeliveryRows#insertAll}), all in one transaction; {@link Store#commit} makes it durable before
 * anyone hears of it. Drafts are checked before they get here ({@link agentmsg.MessageDraft}'s
 * rules, by the caller).
 *
 * <p>Not thread-safe: each writer has its own (it remembers the agents it saw, and when it last
 * wrote each sender's {@code last_seen_at}).
 */
public final class SendPipeline {
  private final Set<String> knownAgents = new HashSet<>();
  private final Map<String, Long> touchedAt = new HashMap<>();
  private final long touchEveryMillis;
  private final boolean remembersAgents;

  private SendPipeline(long touchEveryMillis, boolean remembersAgents) {
    this.touchEveryMillis = touchEveryMillis;
    this.remembersAgents = remembersAgents;
  }

  /** For one call of a short-lived process: remembers nothing between batches. */
  public static SendPipeline oneShot() {
    return new SendPipeline(0, false);
  }

  /**
   * For a long-lived writer that owns the store (the server): remembers registered agents, and
   * writes a busy sender's {@code last_seen_at} at most once per {@code touchEveryMillis}.
   */
  public static SendPipeline resident(long touchEveryMillis) {
    return new SendPipeline(touchEveryMillis, true);
  }

  /**
   * One send.
   *
   * @param sender who sends it
   * @param draft what, to whom; its id, if any, is ignored for {@code id}
   * @param id the message's id, or a fan-out's shared id (its copies are {@link FanOut#copyId})
   * @param clientId the sender's idempotency key, or null: a resend under it stores nothing
   * @param idMayExist whether {@code id} may be stored already (a caller-chosen id, or a retry
   *     after a lost connection): then what it names is the outcome
   */
  public record Submission(
      String sender, MessageDraft draft, String id, String clientId, boolean idMayExist) {

    /** Whether it goes to {@code @all} or a group. */
    public boolean fansOut() {
      return draft.fansOut();
    }

    /** Whether {@code message} was stored for this very submission (not an earlier one). */
    boolean owns(StoredMessage message) {
      return message.id().equals(fansOut() ? FanOut.copyId(id, message.recipient()) : id);
    }
  }

  /**
   * What became of a submission: its stored messages (each copy of a fan-out, in sequence order),
   * or a failure and none.
   *
   * @param fresh whether this submission stored them (they are to be pushed and mirrored), not an
   *     earlier one
   */
  public record Outcome(List<StoredMessage> messages, boolean fresh, AgentMsgException failure) {
    static Outcome failed(AgentMsgException failure) {
      return new Outcome(List.of(), false, failure);
    }
  }

  /**
   * What a batch came to.
   *
   * @param outcomes one per submission, in the order given
   * @param registered the senders it registered (as type {@code other})
   * @param agents the agents it found registered or registered
   * @param stored whether it inserted any message
   */
  public record Result(
      List<Outcome> outcomes, Set<String> registered, Set<String> agents, boolean stored) {}

  /**
   * Applies {@code submissions} in {@code tx}. Client ids are new almost always, so unless {@code
   * lookUp} the insert does not look them up first and the unique key on (sender, client id)
   * catches a resend (or another process storing a caller's id since it was looked for): then
   * {@link AlreadyStored} is thrown, and the caller rolls back and applies the batch again with
   * {@code lookUp}.
   */
  public Result apply(Handle tx, List<Submission> submissions, long now, boolean lookUp)
      throws SQLException {
    Batch batch = new Batch(tx, now);
    Map<String, Set<String>> clientIds = new HashMap<>();
    List<String> maybeStored = new ArrayList<>();
    for (Submission submission : submissions) {
      if (submission.clientId() != null && !submission.fansOut()) {
        clientIds
            .computeIfAbsent(submission.sender(), name -> new HashSet<>())
            .add(submission.clientId());
      }
      if (submission.idMayExist() && !submission.fansOut()) {
        maybeStored.add(submission.id());
      }
    }
    Map<String, StoredMessage> byId =
        maybeStored.isEmpty() ? Map.of() : DeliveryRows.byIds(tx, maybeStored);
    Map<String, StoredMessage> byClientId = new HashMap<>();
    if (lookUp) {
      for (Map.Entry<String, Set<String>> entry : clientIds.entrySet()) {
        for (StoredMessage message :
            DeliveryRows.byClientIds(tx, entry.getKey(), entry.getValue()).values()) {
          byClientId.put(message.sender() + '\n' + message.clientId(), message);
        }
      }
    }
    List<Decision> decisions = new ArrayList<>(submissions.size());
    for (Submission submission : submissions) {
      decisions.add(
          submission.fansOut()
              ? batch.decideFanOut(submission)
              : batch.decideOne(submission, byId, byClientId));
    }
    List<StoredMessage> inserted;
    try {
      inserted = DeliveryRows.insertAll(tx, batch.fresh);
    } catch (SQLException e) {
      if (!lookUp
          && (!clientIds.isEmpty() || !maybeStored.isEmpty())
          && DeliveryRows.isDuplicateKey(e)) {
        throw new AlreadyStored(e);
      }
      throw e;
    }
    Map<String, StoredMessage> insertedById = new HashMap<>();
    for (StoredMessage message : inserted) {
      insertedById.put(message.id(), message);
    }
    List<Outcome> outcomes = new ArrayList<>(submissions.size());
    for (int i = 0; i < submissions.size(); i++) {
      Decision decision = decisions.get(i);
      if (decision.outcome() != null) {
        outcomes.add(decision.outcome());
        continue;
      }
      List<StoredMessage> messages = new ArrayList<>(decision.rows().size());
      for (NewMessage row : decision.rows()) {
        messages.add(insertedById.get(row.id()));
      }
      // A second send with the same client id in this batch gets the first one's messages.
      outcomes.add(new Outcome(messages, submissions.get(i).owns(messages.get(0)), null));
    }
    for (String sender : batch.senders) {
      Long touched = touchedAt.get(sender);
      if (touched == null || now - touched >= touchEveryMillis) {
        AgentRows.touch(tx, sender, now);
        if (remembersAgents) {
          touchedAt.put(sender, now);
        }
      }
    }
    return new Result(outcomes, batch.registered, batch.agents, !inserted.isEmpty());
  }

  /** Remembers the agents a committed batch found or registered (rolled back, it is not told). */
  public void committed(Result result) {
    if (remembersAgents) {
      knownAgents.addAll(result.agents());
    }
  }

  /**
   * Registers {@code name} as type {@code other} unless it is registered; the agents a connection
   * says hello as come this way.
   *
   * @return the agents to remember once committed ({@link #committed(Set)})
   */
  public Set<String> ensureAgent(Handle tx, String name, long now) {
    Batch batch = new Batch(tx, now);
    batch.ensureAgent(name);
    return batch.agents;
  }

  /** Remembers agents known to be registered in a committed transaction. */
  public void committed(Set<String> agents) {
    if (remembersAgents) {
      knownAgents.addAll(agents);
    }
  }

  /** Forgets the agents it remembered (the store was changed under it, e.g. a prune). */
  public void forgetAgents() {
    knownAgents.clear();
  }

  /** Either an outcome decided without inserting, or the new rows it inserts. */
  private record Decision(Outcome outcome, List<NewMessage> rows) {}

  /** The decisions of one batch in progress. */
  private final class Batch {
    final Handle tx;
    final long now;
    final Set<String> senders = new LinkedHashSet<>();
    final Set<String> registered = new LinkedHashSet<>();
    final Set<String> agents = new HashSet<>();

    /** The rows a client id of this batch got, by sender and client id. */
    final Map<String, List<NewMessage>> pending = new HashMap<>();

    final List<NewMessage> fresh = new ArrayList<>();

    Batch(Handle tx, long now) {
      this.tx = tx;
      this.now = now;
    }

    Decision decideOne(
        Submission send, Map<String, StoredMessage> byId, Map<String, StoredMessage> byClientId) {
      StoredMessage stored = byId.get(send.id());
      if (stored != null) {
        return new Decision(new Outcome(List.of(stored), send.owns(stored), null), null);
      }
      String key = send.sender() + '\n' + send.clientId();
      stored = send.clientId() == null ? null : byClientId.get(key);
      if (stored != null) {
        return new Decision(new Outcome(List.of(stored), false, null), null);
      }
      List<NewMessage> resent = send.clientId() == null ? null : pending.get(key);
      if (resent != null) {
        return new Decision(null, resent); // the same client id twice in one batch: one message
      }
      String to = send.draft().to();
      if (!agentExists(to)) {
        return new Decision(Outcome.failed(new UnknownAgentException(to)), null);
      }
      ensureAgent(send.sender());
      senders.add(send.sender());
      List<NewMessage> rows =
          List.of(row(send, send.id(), to, send.clientId(), send.draft().thread()));
      fresh.addAll(rows);
      if (send.clientId() != null) {
        pending.put(key, rows);
      }
      return new Decision(null, rows);
    }

    /**
     * A fan-out: the copies stored for its client id before (a resend), or for its id (a retry or a
     * caller's id), else one new copy per recipient. Its copies carry client ids made from its own
     * ({@link FanOut#copyClientId}), so the unique key guards each of them, and a resend is found
     * by a look-up here, whoever the recipients are now.
     */
    Decision decideFanOut(Submission send) throws SQLException {
      String clientId = send.clientId();
      String key = send.sender() + "\n@" + clientId;
      if (clientId != null) {
        List<NewMessage> resent = pending.get(key);
        if (resent != null) {
          return new Decision(null, resent); // the same client id twice in one batch: one fan-out
        }
        List<StoredMessage> copies = DeliveryRows.copiesByClientId(tx, send.sender(), clientId);
        if (!copies.isEmpty()) {
          return new Decision(new Outcome(copies, send.owns(copies.get(0)), null), null);
        }
      }
      List<String> recipients;
      try {
        recipients = FanOut.recipients(tx, send.draft().to(), send.sender());
      } catch (AgentMsgException e) {
        return new Decision(Outcome.failed(e), null);
      }
      if (send.idMayExist() && clientId == null) {
        List<String> ids = new ArrayList<>(recipients.size());
        for (String recipient : recipients) {
          ids.add(FanOut.copyId(send.id(), recipient));
        }
        List<StoredMessage> ours = new ArrayList<>(DeliveryRows.byIds(tx, ids).values());
        if (!ours.isEmpty()) {
          ours.sort(Comparator.comparingLong(StoredMessage::seq));
          return new Decision(new Outcome(ours, true, null), null);
        }
      }
      ensureAgent(send.sender());
      senders.add(send.sender());
      String thread = FanOut.thread(send.id(), send.draft().thread());
      List<NewMessage> copies = new ArrayList<>(recipients.size());
      for (String recipient : recipients) {
        copies.add(
            row(
                send,
                FanOut.copyId(send.id(), recipient),
                recipient,
                clientId == null ? null : FanOut.copyClientId(clientId, recipient),
                thread));
      }
      fresh.addAll(copies);
      if (clientId != null) {
        pending.put(key, copies);
      }
      return new Decision(null, copies);
    }

    NewMessage row(Submission send, String id, String to, String clientId, String thread) {
      MessageDraft draft = send.draft();
      return new NewMessage(
          id,
          send.sender(),
          to,
          draft.body(),
          now,
          clientId,
          thread,
          draft.replyTo(),
          draft.subject(),
          draft.priority(),
          draft.ackRequired());
    }

    boolean agentExists(String name) {
      if (knownAgents.contains(name) || agents.contains(name)) {
        return true;
      }
      if (AgentRows.exists(tx, name)) {
        agents.add(name);
        return true;
      }
      return false;
    }

    void ensureAgent(String name) {
      if (!agentExists(name)) {
        AgentRows.upsert(tx, name, AgentType.OTHER, now);
        agents.add(name);
        registered.add(name);
      }
    }
  }

  /**
   * Applies {@code submissions} in a transaction of its own and makes them durable before it
   * returns: the whole send of a short-lived caller.
   */
  public Result send(Store store, List<Submission> submissions) {
    return store.call(
        handle -> {
          long now = System.currentTimeMillis();
          Result result;
          try {
            result = handle.inTransaction(tx -> apply(tx, submissions, now, false));
          } catch (AlreadyStored e) {
            result = handle.inTransaction(tx -> apply(tx, submissions, now, true));
          }
          if (result.stored() || !result.registered().isEmpty()) {
            store.checkpointSync(handle);
          }
          committed(result);
          return result;
        });
  }

  /** A send of the batch reused a client id or an id stored before: the batch must look them up. */
  public static final class AlreadyStored extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AlreadyStored(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
