package agentmsg.cli;

import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import agentmsg.Message;
import agentmsg.internal.Ids;
import agentmsg.internal.client.Reconnecting;
import agentmsg.internal.client.WireClient;
import agentmsg.internal.client.WireConnection;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.ServerFrame;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            url,
            ServerUrl.credentials(invocation, agent, url),
            invocation.line().hasOption("takeover"))
        .run();
  }

  /** One run of {@code connect}, over as many connections as it takes. */
  private static final class Session {
    private final Invocation invocation;
    private final String agent;
    private final URI url;
    private final ServerUrl.Credentials credentials;
    private final boolean takeover;
    private final String instance = Ids.newId();
    private final PrintStream err;

    /** Sent from standard input, not yet confirmed stored: sent again after a reconnect. */
    private final Map<String, ClientFrame.Send> unconfirmed = new LinkedHashMap<>();

    private final Bounded sentByUs = new Bounded(REMEMBERED);
    private final Bounded printed = new Bounded(REMEMBERED);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile WireConnection current;
    private volatile boolean stopping;

    Session(
        Invocation invocation,
        String agent,
        URI url,
        ServerUrl.Credentials credentials,
        boolean takeover) {
      this.invocation = invocation;
      this.agent = agent;
      this.url = url;
      this.credentials = credentials;
      this.takeover = takeover;
      this.err = invocation.err();
    }

    int run() throws InterruptedException {
      Thread hook = new Thread(this::stop, "agent-msg-connect-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      Thread reader = new Thread(this::readInput, "agent-msg-stdin");
      reader.setDaemon(true);
      try (WireClient client = WireClient.start(ServerUrl.ca(invocation))) {
        reader.start();
        Integer[] exitCode = {null};
        Reconnecting.run(
            new Reconnecting.Client() {
              @Override
              public WireConnection connect() throws InterruptedException {
                return client.connect(
                    url,
                    credentials.headers(),
                    Duration.ofSeconds(10),
                    credentials.unauthorizedHint());
              }

              @Override
              public Reconnecting.Round converse(WireConnection connection)
                  throws InterruptedException {
                current = connection;
                try {
                  Outcome outcome = Session.this.converse(connection);
                  exitCode[0] = outcome.exitCode();
                  return new Reconnecting.Round(outcome.welcomed(), outcome.exitCode() != null);
                } finally {
                  current = null;
                }
              }

              @Override
              public boolean stopped() {
                return stopping;
              }

              @Override
              public boolean pause(long millis) throws InterruptedException {
                Session.this.pause(millis);
                return !stopping;
              }

              @Override
              public void unreachable(AgentMsgException cause, long retryMillis) {
                err.println(
                    "Cannot reach "
                        + url
                        + " ("
                        + cause.code()
                        + "); retrying in "
                        + retryMillis
                        + " ms");
              }

              @Override
              public void lost(long retryMillis) {
                err.println(
                    "Connection to " + url + " lost; reconnecting in " + retryMillis + " ms");
              }
            });
        if (exitCode[0] != null) {
          return exitCode[0];
        }
        return ExitCodes.OK;
      } finally {
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running; it only waits for the latch above.
        }
      }
    }

    private Outcome converse(WireConnection connection) throws InterruptedException {
      connection.hello(
          new ClientFrame.Hello(agent, ClientFrame.Role.RECEIVE, takeover, instance, false),
          WireConnection.ORIGINAL_DETECT);
      boolean welcomed = false;
      while (true) {
        WireConnection.Event event = connection.next(Duration.ofMillis(500));
        if (event == null) {
          if (stopping) {
            return new Outcome(ExitCodes.OK, welcomed);
          }
          continue;
        }
        if (event instanceof WireConnection.Closed) {
          return new Outcome(stopping ? Integer.valueOf(ExitCodes.OK) : null, welcomed);
        }
        ServerFrame frame = ((WireConnection.Frame) event).frame();
        if (frame instanceof ServerFrame.Push push) {
          if (!deliver(connection, push)) {
            return new Outcome(ExitCodes.FAILED, welcomed);
          }
        } else if (frame instanceof ServerFrame.Welcome
            || (frame instanceof ServerFrame.Registered && connection.original())) {
          welcomed = true;
          err.println(
              "Connected to "
                  + url
                  + " as "
                  + agent
                  + (connection.original()
                      ? " (an original agent-msg server: it stores nothing, so only agents"
                          + " connected now get what is sent; "
                      : " (")
                  + "type '<to> <message>' to send; Ctrl-C to stop)");
          for (ClientFrame.Send send : pendingSends()) {
            connection.send(send);
          }
        } else if (frame instanceof ServerFrame.Stored stored) {
          boolean ours;
          synchronized (unconfirmed) {
            ours = unconfirmed.remove(stored.clientId()) != null;
          }
          if (ours) {
            err.println("Sent " + stored.id() + " to " + stored.to());
          }
        } else if (frame instanceof ServerFrame.Delivered delivered) {
          if (connection.original()) {
            synchronized (unconfirmed) { // an original server confirms by delivering, or not at all
              unconfirmed.remove(delivered.clientId());
            }
          }
          if (delivered.clientId() != null && sentByUs.contains(delivered.clientId())) {
            err.println("Delivered " + delivered.id() + " to " + delivered.to());
          }
        } else if (frame instanceof ServerFrame.Error error) {
          err.println("error[" + error.code() + "]: " + error.message());
          if (error.ref() != null) {
            synchronized (unconfirmed) {
              unconfirmed.remove(error.ref());
            }
          }
          if (error.code().equals("already-connected")
              || error.code().equals("taken-over")
              || error.code().equals("auth-agent-mismatch")
              || error.code().equals("token-revoked")) {
            return new Outcome(ExitCodes.FAILED, welcomed);
          }
        }
      }
    }

    /** Prints a pushed message once, then acks it; false if standard output is gone. */
    private boolean deliver(WireConnection connection, ServerFrame.Push push) {
      if (!printed.contains(push.id())) {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        Message message = push.toMessage(agent, now, now);
        PrintStream out = invocation.out();
        Output.message(out, message, invocation.json(), false);
        if (out.checkError()) {
          err.println("error[output-closed]: standard output was closed; stopping");
          return false;
        }
        printed.add(push.id());
      }
      try {
        connection.send(new ClientFrame.Ack(push.id(), null));
      } catch (AgentMsgException lost) {
        // Not acked: the server pushes it again after the reconnect, and it is not printed twice.
      }
      return true;
    }

    private void readInput() {
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(invocation.in(), StandardCharsets.UTF_8));
      try {
        String line;
        while (!stopping && (line = lines.readLine()) != null) {
          ClientFrame.Send send = parse(line.strip());
          if (send == null) {
            continue;
          }
          synchronized (unconfirmed) {
            unconfirmed.put(send.clientId(), send);
            sentByUs.add(send.clientId());
          }
          WireConnection connection = current;
          if (connection != null) {
            try {
              connection.send(send);
            } catch (AgentMsgException lost) {
              // Sent again once reconnected.
            }
          }
        }
      } catch (IOException e) {
        err.println("warning: cannot read standard input any more: " + e.getMessage());
      }
    }

    private ClientFrame.Send parse(String line) {
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
      return new ClientFrame.Send(Ids.newId(), null, to, body, null, null, false);
    }

    private List<ClientFrame.Send> pendingSends() {
      synchronized (unconfirmed) {
        return new ArrayList<>(unconfirmed.values());
      }
    }

    private void pause(long millis) throws InterruptedException {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (!stopping && System.nanoTime() < until) {
        finished.await(Math.min(100, millis), TimeUnit.MILLISECONDS);
      }
    }

    private void stop() {
      stopping = true;
      WireConnection connection = current;
      if (connection != null) {
        connection.close();
      }
      try {
        finished.await(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private record Outcome(Integer exitCode, boolean welcomed) {}

  /** A set that forgets its oldest entries beyond a bound. Thread-safe. */
  private static final class Bounded {
    private final int capacity;
    private final LinkedHashMap<String, Boolean> entries = new LinkedHashMap<>();

    Bounded(int capacity) {
      this.capacity = capacity;
    }

    synchronized void add(String value) {
      entries.put(value, Boolean.TRUE);
      if (entries.size() > capacity) {
        entries.remove(entries.keySet().iterator().next());
      }
    }

    synchronized boolean contains(String value) {
      return entries.containsKey(value);
    }
  }
}
