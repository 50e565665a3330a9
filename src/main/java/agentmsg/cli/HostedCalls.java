package agentmsg.cli;

import agentmsg.Options;
import agentmsg.internal.host.CallListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The commands the store host runs for CLI calls, in its own JVM, as {@link Main#run} with the
 * caller's arguments, environment and working directory.
 *
 * <p>Served: every command that finishes in a bounded, short time (and any other command line, e.g.
 * a misspelt command, whose error it prints). Not served (the caller runs them in a JVM of its own,
 * as before): {@code poll}, {@code wait}, {@code watch}, {@code connect}, {@code mcp}, {@code
 * server}, {@code host}, {@code demo}, and {@code send}/{@code reply} that wait for the recipient
 * ({@code --wait}, {@code --wait-read}, {@code --wait-ack}). Those run for minutes: their start-up
 * is a small part of their time, and each holds what only its own process should (a watch, a
 * socket, a terminal's standard input, the marking of messages as they are printed).
 */
final class HostedCalls implements CallListener.Handler {
  private static final Set<String> OWN_PROCESS =
      Set.of("poll", "wait", "watch", "connect", "mcp", "server", "host", "demo");

  private static final Set<String> WAITING = Set.of("--wait", "--wait-read", "--wait-ack");

  @Override
  public String refusal(List<String> args) {
    if (args.isEmpty()) {
      return null;
    }
    String command = args.get(0);
    if (OWN_PROCESS.contains(command)) {
      return command + " runs in its own process";
    }
    if (command.equals("doctor") && args.contains("--repair")) {
      // It may set the database file aside, which needs this host to let go of it first.
      return "doctor --repair runs in its own process";
    }
    if (command.equals("send") || command.equals("reply")) {
      for (String arg : args.subList(1, args.size())) {
        if (arg.equals("--")) {
          break;
        }
        int equals = arg.indexOf('=');
        if (WAITING.contains(equals < 0 ? arg : arg.substring(0, equals))) {
          return command + " that waits runs in its own process";
        }
      }
    }
    return null;
  }

  @Override
  public int run(CallListener.Call call) {
    Map<String, String> env = new HashMap<>(call.env());
    // A relative data home is the caller's, not this process's.
    String home = env.get(Options.ENV_HOME);
    if (home != null && !home.isBlank()) {
      env.put(Options.ENV_HOME, call.workingDirectory().resolve(home.strip()).toString());
    }
    return Main.run(
        call.in(),
        call.out(),
        call.err(),
        Map.copyOf(env),
        call.workingDirectory(),
        call.args().toArray(new String[0]));
  }

  /** Whether the host runs this command line. */
  static boolean serves(String... args) {
    return new HostedCalls().refusal(List.of(args)) == null;
  }
}
