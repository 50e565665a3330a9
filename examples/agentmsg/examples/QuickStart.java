package agentmsg.examples;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The programmatic API in one page: two agents register, one sends, the other waits for it and
 * replies. Run it with a data home as the first argument, or with AGENT_MSG_HOME set.
 */
public final class QuickStart {
  private QuickStart() {}

  public static void main(String[] args) throws InterruptedException {
    Options.Builder base = Options.fromEnvironment();
    if (args.length > 0) {
      base.home(Path.of(args[0]));
    }
    // README: begin
    try (AgentMessenger claude = AgentMessenger.open(base.agent("claude").build());
        AgentMessenger opencode = AgentMessenger.open(base.agent("opencode").build())) {
      claude.register(AgentType.CLAUDE_CODE);
      opencode.register(AgentType.OPEN_CODE);

      // Send: returns once the message is committed and synced to disk.
      Message question = claude.send("opencode", "Can you run the tests?");
      System.out.println("sent " + question.id());

      // Wait: blocks until a message lands (woken by the inbox watch), then marks it read.
      List<Message> received = opencode.waitForMessages(Duration.ofSeconds(10));
      for (Message message : received) {
        System.out.println(message.to() + " got from " + message.from() + ": " + message.body());
        opencode.send(message.from(), "All 212 tests pass.");
      }

      // Check the inbox: unread messages, oldest first, marked read as they are returned.
      for (Message reply : claude.checkInbox()) {
        System.out.println(reply.to() + " got from " + reply.from() + ": " + reply.body());
      }
    }
    // README: end
  }
}
