package agentmsg.cli;

import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import agentmsg.InvalidMessageException;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.Priority;
import agentmsg.RemoteMessenger;
import agentmsg.internal.Ids;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code send -w}: sends one message through the server as a send-only connection and waits for
 * {@code stored} (and with {@code --wait}, {@code delivered}). A lost connection is retried with
 * the same client id, so the message is stored once however often it is resent. To {@code @all} or
 * a {@code @group}, the server stores a copy per recipient; they are printed as a file-mode send
 * prints them, and {@code --wait} waits for every copy's {@code delivered}. Every wait is bounded:
 * exit 3 when time runs out, saying what is known.
 */
final class WebSocketSend {
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Set<String> USAGE_CODES =
      Set.of("invalid-agent-name", "invalid-id", "empty-message", "message-too-large");

  private final Invocation invocation;
  private final String to;
  private final String body;
  private final String clientId;
  private final boolean waitForDelivery;
  private final Duration timeout;
  private String storedId;

  /** The copies not yet delivered, by id, naming their recipients. */
  private final Map<String, String> undelivered = new LinkedHashMap<>();

  WebSocketSend(Invocation invocation, String to, String body) {
    this.invocation = invocation;
    AgentNames.requireValid(AgentNames.nameIn(to));
    this.to = to;
    this.body = body;
    String id = invocation.line().getOptionValue("id");
    if (id != null && !AgentNames.isValid(id)) {
      throw new InvalidMessageException(
          "invalid-id", "invalid message id '" + id + "': use 1-64 of A-Z a-z 0-9 . _ -");
    }
    this.clientId = id != null ? id : Ids.newId();
    this.waitForDelivery = invocation.line().hasOption("wait");
    String seconds = invocation.line().getOptionValue("wait");
    this.timeout =
        seconds == null || seconds.isEmpty()
            ? DEFAULT_WAIT
            : invocation.secondsValue("wait", DEFAULT_WAIT, 7 * 24 * 3600);
  }

  int run() throws InterruptedException {
    MessageDraft draft =
        MessageDraft.to(to, body).withThread(invocation.line().getOptionValue("thread"));
    if (invocation.line().hasOption("subject")) {
      draft = draft.withSubject(invocation.line().getOptionValue("subject"));
    }
    if (invocation.line().hasOption("priority")) {
      String priority = invocation.line().getOptionValue("priority");
      draft = draft.withPriority(Invocation.userValue(() -> Priority.parse(priority)));
    }
    if (invocation.line().hasOption("ack-required")) {
      draft = draft.withAckRequired(true);
    }
    RemoteMessenger.check(draft); // bad input is a usage error before any connection
    String from = invocation.options(null).agent();
    URI url = ServerUrl.url(invocation);
    ServerUrl.Credentials credentials = ServerUrl.credentials(invocation, from, url);
    long deadline = System.nanoTime() + timeout.toNanos();
    LinkedBlockingQueue<RemoteMessenger.Delivery> deliveries = new LinkedBlockingQueue<>();
    RemoteMessenger messenger;
    try {
      messenger =
          RemoteMessenger.sendOnly(
              ServerUrl.server(invocation, credentials),
              from,
              min(timeout, CONNECT_TIMEOUT),
              warning -> {}); // reconnects are retried within the wait; its outcome is one line
    } catch (AgentMsgException e) {
      if (!e.code().equals("connection-lost")) {
        throw e; // never reached, or refused: nothing was stored
      }
      invocation
          .err()
          .println(
              "error[connection-lost]: the connection to "
                  + url
                  + " closed before the server's welcome; the message may not be stored (resend"
                  + " with --id "
                  + clientId
                  + ")");
      return ExitCodes.FAILED;
    }
    try (messenger) {
      messenger.onDelivery(deliveries::add); // before the send: no delivery slips by
      RemoteMessenger.Confirmation confirmation;
      try {
        confirmation = messenger.sendConfirmed(draft, clientId, left(deadline));
      } catch (AgentMsgException e) {
        if (e.code().equals("server-unavailable") && System.nanoTime() - deadline >= 0) {
          return timedOut(messenger);
        }
        if (USAGE_CODES.contains(e.code())) {
          invocation.err().println("error[" + e.code() + "]: " + e.getMessage());
          return ExitCodes.USAGE;
        }
        throw e;
      }
      storedId = confirmation.id();
      if (confirmation.delivered()) { // an original server: delivered, or not stored at all
        report(confirmation.jsonLine(), "Message " + storedId + " delivered to " + to);
        return ExitCodes.OK;
      }
      if (confirmation.fannedOut()) {
        for (Message copy : confirmation.copies()) {
          undelivered.put(copy.id(), copy.to());
        }
        SendCommand.printSent(invocation, confirmation.sent(), true);
      } else {
        undelivered.put(storedId, to);
        if (!waitForDelivery) {
          report(confirmation.jsonLine(), "Message " + storedId + " stored for " + to);
        }
        if (!waitForDelivery && !invocation.json()) {
          // With --wait the outcome says it: delivered, or not within the wait (and why).
          SendCommand.warnings(invocation, confirmation.sent());
        }
      }
      if (!waitForDelivery) {
        return ExitCodes.OK;
      }
      while (!undelivered.isEmpty()) {
        long left = deadline - System.nanoTime();
        RemoteMessenger.Delivery delivery =
            left <= 0 ? null : deliveries.poll(left, TimeUnit.NANOSECONDS);
        if (delivery == null) {
          return timedOut(messenger);
        }
        String recipient = undelivered.remove(delivery.id());
        if (recipient == null
            && !confirmation.fannedOut()
            && clientId.equals(delivery.clientId())) {
          recipient = undelivered.remove(storedId);
        }
        if (recipient != null) {
          report(
              delivery.jsonLine(), "Message " + delivery.id() + " delivered to " + delivery.to());
        }
      }
      return ExitCodes.OK;
    }
  }

  private void report(String json, String text) {
    invocation.out().println(invocation.json() ? json : text);
  }

  private int timedOut(RemoteMessenger messenger) {
    String seconds =
        (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms")
            + (messenger.connected()
                ? ""
                : " (the connection to " + messenger.server() + " was lost and is not back)");
    if (storedId != null && AgentNames.fansOut(to)) {
      List<String> missing = new ArrayList<>();
      undelivered.forEach((id, recipient) -> missing.add(recipient + " (" + id + ")"));
      invocation
          .err()
          .println(
              "error[timeout]: the copies of "
                  + storedId
                  + " are stored, but "
                  + String.join(", ", missing)
                  + " did not acknowledge theirs within "
                  + seconds
                  + " (each is delivered when its recipient connects or reads its inbox; see:"
                  + " agent-msg status "
                  + storedId
                  + ")");
    } else if (storedId != null) {
      invocation
          .err()
          .println(
              "error[timeout]: message "
                  + storedId
                  + " is stored, but "
                  + to
                  + " did not acknowledge it within "
                  + seconds
                  + " (it is delivered when "
                  + to
                  + " connects or reads its inbox)");
    } else {
      invocation
          .err()
          .println(
              "error[timeout]: the server did not confirm storing the message within "
                  + seconds
                  + "; it may or may not be stored (resend with --id "
                  + clientId
                  + " to be safe)");
    }
    return ExitCodes.TIMEOUT;
  }

  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }
}
