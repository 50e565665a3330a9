package agentmsg.examples;

import agentmsg.Message;
import agentmsg.Messenger;
import agentmsg.RemoteMessenger;
import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The same exchange as {@link QuickStart}, through a server: an embedded server on a free loopback
 * port, a receiving messenger for one agent and a send-only one for the other. Run it with a data
 * home as the first argument.
 */
public final class RemoteQuickStart {
  private RemoteQuickStart() {}

  public static void main(String[] args) throws InterruptedException {
    Path home = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
    // Loopback only, without tokens, for the example; a shared server takes --token-file.
    try (AgentMsgServer server =
        AgentMsgServer.start(ServerOptions.builder().home(home).port(0).noAuth().build())) {
      RemoteMessenger.Server where = new RemoteMessenger.Server(server.uri(), Map.of(), "", null);
      try (RemoteMessenger opencode =
              RemoteMessenger.receive(where, "opencode", false, System.err::println);
          RemoteMessenger claude =
              RemoteMessenger.sendOnly(
                  where, "claude", Duration.ofSeconds(5), System.err::println)) {
        // Stored, synced and pushed to opencode's connection before this returns.
        Message question = claude.send("opencode", "Can you run the tests?");
        System.out.println("sent " + question.id());

        // The push is kept until taken; handing it over acks it (delivered, read).
        Messenger.Taken taken = opencode.await(Duration.ofSeconds(10));
        for (Message message : taken.messages()) {
          System.out.println(message.to() + " got from " + message.from() + ": " + message.body());
        }
        taken.handedOver().run();
      }
    }
  }
}
