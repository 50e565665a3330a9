package agentmsg.cli;

import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import agentmsg.InvalidMessageException;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.MessageTooLargeException;
import agentmsg.Priority;
import agentmsg.Sent;
import agentmsg.internal.Ids;
import agentmsg.internal.client.Reconnecting;
import agentmsg.internal.client.WireClient;
import agentmsg.internal.client.WireConnection;
import agentmsg.internal.store.FanOut;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameCodec;
import agentmsg.internal.wire.ServerFrame;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
  private static final int MAX_CONNECTS = 4;
  private static final Set<String> USAGE_CODES =
      Set.of("invalid-agent-name", "invalid-id", "empty-message", "message-too-large");

  private final Invocation invocation;
  private final String to;
  private final String body;
  private final String clientId;
  private final boolean waitForDelivery;
  private final Duration timeout;
  private String storedId;

  /** A fan-out's copies not yet delivered, by id, naming their recipients; empty for one. */
  private final Map<String, String> undelivered = new LinkedHashMap<>();

  WebSocketSend(Invocation invocation, String to, String body) {
    this.invocation = invocation;
    AgentNames.requireValid(FanOut.nameIn(to));
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
    if (body.isEmpty()) {
      throw new InvalidMessageException("empty-message", "the message is empty");
    }
    int size = body.getBytes(StandardCharsets.UTF_8).length;
    if (size > agentmsg.Options.MAX_MESSAGE_BYTES_LIMIT) {
      throw new MessageTooLargeException(size, agentmsg.Options.MAX_MESSAGE_BYTES_LIMIT);
    }
    String from = invocation.options(null).agent();
    MessageDraft draft =
        MessageDraft.to(to, body).withThread(invocation.line().getOptionValue("thread"));
    if (invocation.line().hasOption("subject")) {
      draft = draft.withSubject(invocation.line().getOptionValue("subject"));
    }
    if (invocation.line().hasOption("priority")) {
      draft = draft.withPriority(Priority.parse(invocation.line().getOptionValue("priority")));
    }
    if (invocation.line().hasOption("ack-required")) {
      draft = draft.withAckRequired(true);
    }
    ClientFrame.Send send = ClientFrame.Send.of(clientId, draft);
    URI url = ServerUrl.url(invocation);
    ServerUrl.Credentials credentials = ServerUrl.credentials(invocation, from, url);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (WireClient client = WireClient.start(ServerUrl.ca(invocation))) {
      for (int attempt = 1; ; attempt++) {
        Duration left = Duration.ofNanos(deadline - System.nanoTime());
        if (left.isNegative() || left.isZero()) {
          return timedOut();
        }
        WireConnection connection;
        try {
          connection =
              client.connect(
                  url,
                  credentials.headers(),
                  min(left, Duration.ofSeconds(10)),
                  credentials.unauthorizedHint());
        } catch (AgentMsgException e) {
          if (attempt == 1 || attempt >= MAX_CONNECTS || Reconnecting.REFUSALS.contains(e.code())) {
            throw e; // never reached, or gone for good: nothing was stored by this attempt
          }
          Thread.sleep(Math.min(1000, 100L << attempt));
          continue;
        }
        try (connection) {
          connection.hello(
              new ClientFrame.Hello(from, ClientFrame.Role.SEND_ONLY, false, null, false),
              min(WireConnection.ORIGINAL_DETECT, Duration.ofNanos(deadline - System.nanoTime())));
          connection.send(send);
          Integer code = await(connection, deadline, from, send);
          if (code != null) {
            return code;
          }
        } catch (AgentMsgException lost) {
          if (!lost.code().equals("connection-lost")) {
            throw lost;
          }
          // Closed before the frames went out: as a close while waiting, try again.
        }
        if (attempt >= MAX_CONNECTS) {
          invocation
              .err()
              .println(
                  "error[connection-lost]: the connection to "
                      + url
                      + " kept closing; "
                      + (storedId == null
                          ? "the message may not be stored (resend with --id " + clientId + ")"
                          : "message " + storedId + " is stored"));
          return ExitCodes.FAILED;
        }
      }
    }
  }

  /**
   * Reads events until the outcome is known.
   *
   * @return the exit code, or null if the connection closed first and a retry may help
   */
  private Integer await(
      WireConnection connection, long deadline, String from, ClientFrame.Send send)
      throws InterruptedException {
    while (true) {
      long left = deadline - System.nanoTime();
      WireConnection.Event event = left <= 0 ? null : connection.next(Duration.ofNanos(left));
      if (event == null) {
        return timedOut();
      }
      if (event instanceof WireConnection.Closed closed) {
        if (closed.refused()) {
          invocation
              .err()
              .println(
                  "error[connection-refused]: "
                      + closed.describe()
                      + "; "
                      + (storedId == null
                          ? "the message may not be stored (resend with --id " + clientId + ")"
                          : "message " + storedId + " is stored"));
          return ExitCodes.FAILED;
        }
        return null;
      }
      ServerFrame frame = ((WireConnection.Frame) event).frame();
      if (frame instanceof ServerFrame.Stored stored
          && clientId.equals(stored.clientId())
          && stored.fannedOut()) {
        if (storedId == null) { // not again after a reconnect
          storedId = stored.id();
          for (ServerFrame.Copy copy : stored.copies()) {
            undelivered.put(copy.id(), copy.to());
          }
          SendCommand.printSent(invocation, sent(stored, from, send), true);
        }
        if (!waitForDelivery) {
          return ExitCodes.OK;
        }
      } else if (frame instanceof ServerFrame.Stored stored && clientId.equals(stored.clientId())) {
        storedId = stored.id();
        if (!waitForDelivery) {
          report(stored, "Message " + stored.id() + " stored for " + to);
        }
        if (!invocation.json()) {
          SendCommand.warnings(invocation, sent(stored, from, send));
        }
        if (!waitForDelivery) {
          return ExitCodes.OK;
        }
      } else if (frame instanceof ServerFrame.Delivered delivered
          && undelivered.remove(delivered.id()) != null) {
        report(delivered, "Message " + delivered.id() + " delivered to " + delivered.to());
        if (undelivered.isEmpty()) {
          return ExitCodes.OK;
        }
      } else if (frame instanceof ServerFrame.Delivered delivered && isOurs(delivered)) {
        report(delivered, "Message " + delivered.id() + " delivered to " + to);
        return ExitCodes.OK;
      } else if (frame instanceof ServerFrame.Error error
          && (error.ref() == null || clientId.equals(error.ref()))) {
        invocation.err().println("error[" + error.code() + "]: " + error.message());
        return USAGE_CODES.contains(error.code()) ? ExitCodes.USAGE : ExitCodes.FAILED;
      }
    }
  }

  /** What a {@code stored} answer says: the messages, the recipients' health, a held thread. */
  private static Sent sent(ServerFrame.Stored stored, String from, ClientFrame.Send send) {
    List<Message> messages = stored.messages(from, send);
    String thread = messages.isEmpty() ? null : messages.get(0).thread();
    if (thread == null) {
      thread = stored.id();
    }
    return new Sent(
        messages,
        stored.health() == null ? List.of() : stored.health(),
        Boolean.TRUE.equals(stored.threadHeld()) ? thread : null,
        0);
  }

  /** Whether {@code delivered} is of the one message this sends (not a fan-out's copy). */
  private boolean isOurs(ServerFrame.Delivered delivered) {
    if (FanOut.addresses(to)) {
      return false;
    }
    return clientId.equals(delivered.clientId())
        || (storedId != null && storedId.equals(delivered.id()));
  }

  private void report(ServerFrame frame, String text) {
    invocation.out().println(invocation.json() ? FrameCodec.write(frame) : text);
  }

  private int timedOut() {
    String seconds =
        timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    if (storedId != null && !undelivered.isEmpty()) {
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

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }
}
