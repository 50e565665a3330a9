package agentmsg.bench;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.Options;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The soak's traffic, run as its own process beside the server: {@code --rate} messages a second
 * between agents of the data home (a third of them replies in a recent thread), and every few
 * seconds one agent reads its inbox, so receipts change too. Runs until killed. Usage: {@code
 * SoakTraffic <home> <agents> <rate>}.
 */
public final class SoakTraffic {
  private static final int SENDERS = 20;

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    int agents = Integer.parseInt(args[1]);
    double rate = Double.parseDouble(args[2]);
    long pauseNanos = (long) (1_000_000_000L / rate);
    Random random = new Random(42);
    List<AgentMessenger> senders = new ArrayList<>();
    for (int i = 0; i < Math.min(SENDERS, agents); i++) {
      senders.add(AgentMessenger.open(Options.builder().home(home).agent("agent-" + i).build()));
    }
    List<Message> recent = new ArrayList<>();
    long next = System.nanoTime();
    for (long count = 0; ; count++) {
      AgentMessenger sender = senders.get(random.nextInt(senders.size()));
      MessageDraft draft;
      String body = "soak " + count + ": the build step finished, " + random.nextInt(1_000) + " ok";
      if (!recent.isEmpty() && random.nextInt(3) == 0) {
        draft = MessageDraft.reply(recent.get(random.nextInt(recent.size())), sender.agent(), body);
      } else {
        // Half to the senders (who read, so receipts move), half to anyone of the roster.
        int to = random.nextBoolean() ? random.nextInt(senders.size()) : random.nextInt(agents);
        draft = MessageDraft.to("agent-" + to, body).withSubject("step " + (count % 97));
      }
      if (draft.to().equals(sender.agent())) {
        draft = MessageDraft.to("agent-" + (agents - 1), body);
      }
      recent.add(sender.send(draft).get(0));
      if (recent.size() > 50) {
        recent.remove(0);
      }
      if (count % 10 == 0) {
        AgentMessenger reader = senders.get(random.nextInt(senders.size()));
        reader.markRead(reader.unread());
      }
      next += pauseNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
  }
}
