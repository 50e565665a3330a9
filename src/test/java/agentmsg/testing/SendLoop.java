package agentmsg.testing;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import agentmsg.Options;
import java.time.Duration;

/**
 * A sender for crash tests, run as a child JVM: {@code SendLoop <from> <to> <count>} sends {@code
 * count} messages through the library and prints {@code ACK <id>} as soon as each send returned,
 * i.e. as soon as the message was acknowledged as durably stored.
 */
public final class SendLoop {
  private SendLoop() {}

  public static void main(String[] args) {
    String from = args[0];
    String to = args[1];
    int count = Integer.parseInt(args[2]);
    Options options =
        Options.fromEnvironment().agent(from).storeTimeout(Duration.ofSeconds(60)).build();
    try (AgentMessenger messenger = AgentMessenger.open(options)) {
      for (int i = 0; i < count; i++) {
        Message sent = messenger.send(to, from + " #" + i);
        System.out.println("ACK " + sent.id());
        System.out.flush();
      }
    }
    System.out.println("DONE");
    System.out.flush();
  }
}
