package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    return "A message of '-' is read from standard input (long or multi-line bodies).\n"
        + "A message that starts with '-' goes after '--': agent-msg send bob -- \"-1 is wrong\"";
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
                "Message id to use; sending again with the same id stores it only once"));
  }

  @Override
  int run(Invocation invocation) throws IOException {
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
    try (AgentMessenger messenger = invocation.messenger(null)) {
      String id = invocation.line().getOptionValue("id");
      Message message = id == null ? messenger.send(to, body) : messenger.send(to, body, id);
      if (invocation.json()) {
        Output.message(invocation.out(), message, true, true);
      } else {
        invocation.out().println("Message " + message.id() + " sent to " + message.to());
      }
    }
    return ExitCodes.OK;
  }
}
