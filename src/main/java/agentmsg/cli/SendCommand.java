package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    return "A message of '-' is read from standard input (long or multi-line bodies).\n"
        + "A message that starts with '-' goes after '--': agent-msg send bob -- \"-1 is wrong\"\n"
        + "With -w it goes through the server (-u): exit 0 once stored; with --wait [seconds]\n"
        + "(default 30) once the recipient's client acknowledged it, exit 3 if it did not in time.";
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
        .addOption(ServerUrl.headerOption());
  }

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
      return new WebSocketSend(invocation, to, body).run();
    }
    for (String serverOnly : List.of("wait", "url", "header")) {
      if (invocation.line().hasOption(serverOnly)) {
        throw new UsageException("--" + serverOnly + " needs -w (send through the server)");
      }
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
