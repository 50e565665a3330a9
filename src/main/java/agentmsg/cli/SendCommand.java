package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.AgentNames;
import agentmsg.InvalidMessageException;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.MessageStatus;
import agentmsg.Priority;
import agentmsg.RecipientHealth;
import agentmsg.Sent;
import agentmsg.json.HealthJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code send <to> <message>}: stores a message durably, then prints its id. */
final class SendCommand extends Command {
  @Override
  String name() {
    return "send";
  }

  @Override
  String arguments() {
    return "<to> <message|->";
  }

  @Override
  String summary() {
    return "Send a message; exits 0 only once it is stored on disk, and prints its id";
  }

  @Override
  String details() {
    return """
        A message of '-' is read from standard input (long or multi-line bodies).
        A message that starts with '-' goes after '--': agent-msg send bob -- \"-1 is wrong\"
        With -w it goes through the server (-u): exit 0 once stored; with --wait [seconds]
        (default 30) once each recipient's client acknowledged it, exit 3 if one did not in time.
        <to> may be an agent, @all (every registered agent but you) or @<group>: one copy
        each, with its own id and read state, all in one thread.
        --wait-read/--wait-ack <seconds> block until every recipient read/acked it (exit 3 if
        not in time), woken by the readers' receipt files, with -i as the safety net.""";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(value("s", "from", "name", "Sender agent name"))
        .addOption(
            value(
                null,
                "id",
                "id",
                "Message id to use; sending again with the same id stores it only once"))
        .addOption(flag("w", "websocket", "Send through the server instead of the files"))
        .addOption(
            Option.builder()
                .longOpt("wait")
                .hasArg()
                .optionalArg(true)
                .argName("seconds")
                .desc("With -w: wait until the recipient acknowledged it (default: 30 s)")
                .get())
        .addOption(ServerUrl.urlOption())
        .addOption(ServerUrl.headerOption())
        .addOption(ServerUrl.tokenFileOption())
        .addOption(ServerUrl.caOption())
        .addOption(value(null, "thread", "id", "Join this thread (a thread id or a message id)"))
        .addOption(value(null, "subject", "text", "A subject line"))
        .addOption(value(null, "priority", "level", "low, normal (default), high or urgent"))
        .addOption(flag(null, "ack-required", "Ask the recipient to ack it (agent-msg ack <id>)"))
        .addOption(
            value(null, "wait-read", "seconds", "Block until the recipient read it; exit 3 if not"))
        .addOption(
            value(null, "wait-ack", "seconds", "Block until the recipient acked it; exit 3 if not"))
        .addOption(
            value(
                "i", "interval", "ms", "With --wait-read/--wait-ack: safety-net re-check (2000)"));
  }

  /** The options that only file mode (without -w) understands. */
  private static final List<String> FILE_ONLY = List.of("wait-read", "wait-ack", "interval");

  /** The conversation options, which make a file-mode send go through {@link #sendDraft}. */
  private static final List<String> CONVERSATION =
      List.of("thread", "subject", "priority", "ack-required");

  /** Lets {@code --wait} stand alone or take seconds, without taking the next argument. */
  @Override
  String[] normalize(String[] args) {
    List<String> out = new ArrayList<>(args.length);
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--")) {
        out.addAll(Arrays.asList(args).subList(i, args.length));
        break;
      }
      if (args[i].equals("--wait")) {
        boolean seconds = i + 1 < args.length && args[i + 1].matches("[0-9]+(\\.[0-9]*)?");
        out.add("--wait=" + (seconds ? args[++i] : ""));
      } else {
        out.add(args[i]);
      }
    }
    return out.toArray(new String[0]);
  }

  @Override
  int run(Invocation invocation) throws IOException, InterruptedException {
    String to = invocation.positional(0);
    if (to == null) {
      throw new UsageException("missing recipient and message");
    }
    if (invocation.positional().size() < 2) {
      throw new UsageException("missing message (use '-' to read it from standard input)");
    }
    invocation.allowPositional(2);
    String body = invocation.positional(1);
    if (body.equals("-")) {
      body = new String(invocation.in().readAllBytes(), StandardCharsets.UTF_8);
    }
    if (invocation.line().hasOption("websocket")) {
      for (String fileOnly : FILE_ONLY) {
        if (invocation.line().hasOption(fileOnly)) {
          throw new UsageException("--" + fileOnly + " works without -w (through the files) only");
        }
      }
      return new WebSocketSend(invocation, to, body).run();
    }
    for (String serverOnly : List.of("wait", "url", "header", "token-file", "ca")) {
      if (invocation.line().hasOption(serverOnly)) {
        throw new UsageException("--" + serverOnly + " needs -w (send through the server)");
      }
    }
    if (AgentNames.fansOut(to)
        || FILE_ONLY.stream().anyMatch(invocation.line()::hasOption)
        || CONVERSATION.stream().anyMatch(invocation.line()::hasOption)) {
      MessageDraft draft = MessageDraft.to(to, body).withId(invocation.line().getOptionValue("id"));
      try (AgentMessenger messenger = invocation.messenger(null)) {
        String thread = invocation.line().getOptionValue("thread");
        if (thread != null) {
          // A message id names its thread too.
          thread = messenger.message(thread).map(Message::thread).orElse(thread);
        }
        return sendDraft(invocation, messenger, draft.withThread(thread));
      }
    }
    try (AgentMessenger messenger = invocation.messenger(null)) {
      String id = invocation.line().getOptionValue("id");
      AgentNames.requireValid(to);
      if (id != null && !AgentNames.isValid(id)) {
        throw new InvalidMessageException(
            "invalid-id", "invalid message id '" + id + "': use 1-64 of A-Z a-z 0-9 . _ -");
      }
      printSent(invocation, messenger.submit(MessageDraft.to(to, body).withId(id)), true);
    }
    return ExitCodes.OK;
  }

  /**
   * Sends a draft with the conversation options of the command line (subject, priority, ack
   * request, waits); shared with {@code reply}.
   */
  static int sendDraft(Invocation invocation, AgentMessenger messenger, MessageDraft draft)
      throws InterruptedException {
    var line = invocation.line();
    if (line.hasOption("subject")) {
      draft = draft.withSubject(line.getOptionValue("subject"));
    }
    if (line.hasOption("priority")) {
      draft =
          draft.withPriority(
              Invocation.userValue(() -> Priority.parse(line.getOptionValue("priority"))));
    }
    if (line.hasOption("ack-required")) {
      draft = draft.withAckRequired(true);
    }
    if (line.hasOption("wait-read") && line.hasOption("wait-ack")) {
      throw new UsageException("use --wait-read or --wait-ack, not both");
    }
    MessageStatus target =
        line.hasOption("wait-ack")
            ? MessageStatus.ACKED
            : line.hasOption("wait-read") ? MessageStatus.READ : null;
    Duration timeout =
        target == null
            ? Duration.ZERO
            : invocation.secondsValue(
                target == MessageStatus.ACKED ? "wait-ack" : "wait-read",
                Duration.ZERO,
                7 * 24 * 3600);
    if (target == null) {
      printSent(invocation, messenger.submit(draft), true);
      return ExitCodes.OK;
    }
    // The watch is in place before the send, so that no receipt can slip in between.
    try (agentmsg.ReceiptWatch watch = messenger.watchReceipts()) {
      Sent submitted = messenger.submit(draft);
      List<Message> sent = submitted.messages();
      printSent(invocation, submitted, false);
      List<Message> now = watch.await(sent, target, timeout);
      boolean reached = agentmsg.ReceiptWatch.reached(now, target);
      if (invocation.json()) {
        Output.messages(invocation.out(), now, true, true);
      }
      for (Message message : now) {
        boolean done = message.status().compareTo(target) >= 0;
        String verb = target == MessageStatus.ACKED ? "acked" : "read";
        if (done && !invocation.json()) {
          java.time.Instant at =
              target == MessageStatus.ACKED ? message.ackedAt() : message.readAt();
          invocation
              .out()
              .println(
                  (target == MessageStatus.ACKED ? "Acked" : "Read")
                      + " by "
                      + message.to()
                      + " at "
                      + agentmsg.json.Timestamps.format(at));
        } else if (!done) {
          invocation
              .err()
              .println(
                  "Not "
                      + verb
                      + " by "
                      + message.to()
                      + " within "
                      + TimeArgs.describe(timeout)
                      + " (status: "
                      + message.status().id()
                      + "; see: agent-msg status "
                      + message.id()
                      + ")");
        }
      }
      return reached ? ExitCodes.OK : ExitCodes.TIMEOUT;
    }
  }

  /**
   * Prints what a send stored: a line (or with {@code --json}, unless {@code json} is false, a JSON
   * object with its recipient's {@code health}) per message, and for a fan-out a last line naming
   * the copies' thread; then the one line about recipients that nothing will wake, and the loop
   * guard's notice when the send made it hold the thread.
   */
  static void printSent(Invocation invocation, Sent submitted, boolean json) {
    List<Message> sent = submitted.messages();
    List<RecipientHealth> health = submitted.recipients();
    if (invocation.json()) {
      if (json) {
        for (int i = 0; i < sent.size(); i++) {
          invocation
              .out()
              .println(
                  HealthJson.line(
                      sent.get(i),
                      i < health.size() ? health.get(i) : null,
                      submitted.heldThread() != null));
        }
        invocation.out().flush();
      }
      return;
    }
    for (Message message : sent) {
      invocation.out().println("Message " + message.id() + " sent to " + message.to());
    }
    if (sent.size() > 1) {
      String thread = sent.get(0).thread();
      invocation
          .out()
          .println(
              Output.plural(sent.size(), "copy").replace("copys", "copies")
                  + " in thread "
                  + thread
                  + " (see: agent-msg status "
                  + thread
                  + ")");
    }
    invocation.out().flush();
    warnings(invocation, submitted);
  }

  /**
   * The sender's warnings on stderr, after what the send printed: recipients that nothing will
   * wake, and the loop guard now holding the thread.
   */
  static void warnings(Invocation invocation, Sent submitted) {
    String asleep = RecipientHealth.summary(submitted.recipients(), Instant.now());
    if (asleep != null) {
      invocation.err().println("warning: " + asleep);
    }
    if (submitted.heldThread() != null) {
      invocation
          .err()
          .println("warning: " + Sent.heldNotice(submitted.heldThread(), submitted.holdLimit()));
    }
  }
}
