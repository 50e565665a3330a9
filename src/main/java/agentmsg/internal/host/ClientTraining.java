package agentmsg.internal.host;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The workload {@code bin/agent-msg} records the Java client's start-up cache with: {@link
 * HostClient} calls against a listener in this JVM (a stand-in handler that prints its arguments),
 * in an empty scratch data home. Not part of the command line: {@code ClientTraining <home>}.
 */
public final class ClientTraining {
  private ClientTraining() {}

  // "try": the listener is used by being open: the training calls reach it through its socket.
  @SuppressWarnings("try")
  public static void main(String[] args) throws IOException {
    Path home = Path.of(args[0]).toAbsolutePath();
    Files.createDirectories(home);
    CallListener.Handler echo =
        new CallListener.Handler() {
          @Override
          public String refusal(List<String> arguments) {
            return arguments.contains("poll") ? "poll runs in its own process" : null;
          }

          @Override
          public int run(CallListener.Call call) {
            call.out().println(String.join(" ", call.args()));
            call.err().println("to stderr");
            return 0;
          }
        };
    int failures = 0;
    try (CallListener listener =
        CallListener.open(home, echo, new PrintStream(PrintStream.nullOutputStream()))) {
      Map<String, String> env = Map.of("AGENT_MSG_HOME", home.toString(), "AGENT_MSG_AGENT", "bob");
      Path here = Path.of("").toAbsolutePath();
      failures += HostClient.run(new String[] {"list"}, env, here) == 0 ? 0 : 1;
      failures +=
          HostClient.run(new String[] {"send", "bob", "hi", "-s", "alice"}, env, here) == 0 ? 0 : 1;
      failures +=
          HostClient.run(new String[] {"poll", "bob"}, env, here) == Frames.FALL_BACK ? 0 : 1;
      failures += HostClient.run(new String[] {"hook"}, env, here) == 0 ? 0 : 1;
    }
    System.exit(failures == 0 ? 0 : 1);
  }
}
