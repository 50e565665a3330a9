package agentmsg.cli;

import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.Messenger;
import agentmsg.RemoteMessenger;
import agentmsg.internal.Ids;
import agentmsg.internal.RecentIds;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.cli.Options;

/**
 * {@code connect -a <agent>}: the agent's receiving connection. Prints each pushed message (as
 * {@code poll} does) and acks it once printed; sends each standard-input line {@code <to>
 * <message>}; reconnects with backoff when the server goes away, and resends what the server had
 * not confirmed (same client id, so nothing is stored twice). Runs until stopped.
 */
final class ConnectCommand extends Command {
  private static final int REMEMBERED = 10_000;
  private static final Duration SLICE = Duration.ofMillis(500);

  /** How long a line typed while the server is away waits for it: as long as connect runs. */
  private static final Duration UNTIL_STOPPED = Duration.ofDays(3650);

  @Override
  String name() {
    return "connect";
  }

  @Override
  String arguments() {
    return "";
  }

  @Override
  String summary() {
    return "Receive messages as they arrive from the server; stdin lines '<to> <message>' send";
  }

  @Override
  String details() {
    return """
        Each message is printed, then acknowledged: the server marks it delivered and read,
        and tells its sender. Unacknowledged messages come again after a reconnect.
        One receiving connection per agent: a second is refused unless --takeover.""";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(
            value(
                "a",
                "agent",
                "name",
                "Agent to connect as (default: -s, AGENT_MSG_AGENT, host name)"))
        .addOption(value("s", "from", "name", "Same as -a"))
        .addOption(ServerUrl.urlOption())
        .addOption(ServerUrl.headerOption())
        .addOption(ServerUrl.tokenFileOption())
        .addOption(ServerUrl.caOption())
        .addOption(
            flag(null, "takeover", "Replace the agent's existing receiving connection, if any"));
  }

  @Override
  int run(Invocation invocation) throws InterruptedException {
    invocation.allowPositional(0);
    String agent = invocation.options(invocation.line().getOptionValue("agent")).agent();
    URI url = ServerUrl.url(invocation);
    return new Session(
            invocation,
            agent,
            ServerUrl.credentials(invocation, agent, url),
            invocation.line().hasOption("takeover"))
        .run();
  }

  /** One run of {@code connect}, over as many connections as it takes. */
  private static final class Session {
    private final Invocation invocation;
    private final String agent;
    private final ServerUrl.Credentials credentials;
    private final boolean takeover;
    private final PrintStream err;

    /** Client ids of the messages sent from standard input: their deliveries are reported. */
    private final RecentIds sentByUs = new RecentIds(REMEMBERED);

    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile RemoteMessenger messenger;
    private volatile boolean stopping;

    Session(
        Invocation invocation, String agent, ServerUrl.Credentials credentials, boolean takeover) {
      this.invocation = invocation;
      this.agent = agent;
      this.credentials = credentials;
      this.takeover = takeover;
      this.err = invocation.err();
    }

    int run() throws InterruptedException {
      Thread hook = new Thread(this::stop, "agent-msg-connect-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try (RemoteMessenger opened =
          RemoteMessenger.receive(
              ServerUrl.server(invocation, credentials),
              agent,
              takeover,
              new RemoteMessenger.Events() {
                @Override
                public void warning(String text) {
                  err.println(text);
                }

                @Override
                public void welcomed(String server, boolean again, boolean original) {
                  err.println(
                      "Connected to "
                          + server
                          + " as "
                          + agent
                          + (original
                              ? " (an original agent-msg server: it stores nothing, so only agents"
                                  + " connected now get what is sent; "
                              : " (")
                          + "type '<to> <message>' to send; Ctrl-C to stop)");
                }
              })) {
        messenger = opened;
        opened.onDelivery(
            delivery -> {
              if (delivery.clientId() != null && sentByUs.contains(delivery.clientId())) {
                err.println("Delivered " + delivery.id() + " to " + delivery.to());
              }
            });
        Thread reader = new Thread(this::readInput, "agent-msg-stdin");
        reader.setDaemon(true);
        reader.start();
        return receive(opened);
      } finally {
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running; it only waits for the latch above.
        }
      }
    }

    /** Prints each pushed message, then acks it, until stopped or the server ends the session. */
    private int receive(RemoteMessenger opened) throws InterruptedException {
      PrintStream out = invocation.out();
      while (!stopping) {
        Messenger.Taken taken;
        try {
          taken = opened.await(SLICE);
        } catch (AgentMsgException e) {
          if (stopping) {
            break;
          }
          if (e.code().equals("server-unavailable")) {
            continue; // down for the whole slice: it reconnects by itself
          }
          err.println("error[" + e.code() + "]: " + e.getMessage());
          return ExitCodes.FAILED; // another receiver took over, or the credential went bad
        }
        for (Message message : taken.messages()) {
          Output.message(out, message, invocation.json(), false);
        }
        if (out.checkError()) {
          err.println("error[output-closed]: standard output was closed; stopping");
          return ExitCodes.FAILED; // not acked: pushed again to the next receiver
        }
        taken.handedOver().run(); // acked; after a lost connection, when pushed again
      }
      return ExitCodes.OK;
    }

    private void readInput() {
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(invocation.in(), StandardCharsets.UTF_8));
      try {
        String line;
        while (!stopping && (line = lines.readLine()) != null) {
          MessageDraft draft = parse(line.strip());
          if (draft != null) {
            send(draft);
          }
        }
      } catch (IOException e) {
        err.println("warning: cannot read standard input any more: " + e.getMessage());
      }
    }

    /** Sends one line, waiting (across reconnects, with the same client id) until it is stored. */
    private void send(MessageDraft draft) {
      String clientId = Ids.newId();
      sentByUs.add(clientId);
      try {
        RemoteMessenger.Confirmation confirmation =
            messenger.sendConfirmed(draft, clientId, UNTIL_STOPPED);
        // An original server confirms a send by delivering it, or not at all.
        err.println(
            (confirmation.delivered() ? "Delivered " : "Sent ")
                + confirmation.id()
                + " to "
                + draft.to());
      } catch (AgentMsgException e) {
        if (!stopping) {
          err.println("error[" + e.code() + "]: " + e.getMessage());
        }
      }
    }

    private MessageDraft parse(String line) {
      if (line.isEmpty()) {
        return null;
      }
      int space = line.indexOf(' ');
      String to = space < 0 ? line : line.substring(0, space);
      String body = space < 0 ? "" : line.substring(space + 1).strip();
      // An agent, or @all or @<group> (the server fans it out).
      if (!AgentNames.isValid(AgentNames.nameIn(to))) {
        err.println(
            "error[invalid-agent-name]: '"
                + to
                + "' is not an agent name, @all or @<group>; type '<to> <message>'");
        return null;
      }
      if (body.isEmpty()) {
        err.println("error[empty-message]: type '<to> <message>'");
        return null;
      }
      return MessageDraft.to(to, body);
    }

    private void stop() {
      stopping = true;
      RemoteMessenger current = messenger;
      if (current != null) {
        current.close();
      }
      try {
        finished.await(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
