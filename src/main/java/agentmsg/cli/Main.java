package agentmsg.cli;

import agentmsg.AgentMsgException;
import agentmsg.ErrorCode;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/** The {@code agent-msg} command line. {@link #main} only exits with the code of {@link #run}. */
public final class Main {
  /** Every command, in the order the help lists them. */
  static final List<String> COMMANDS =
      List.of(
          "register",
          "list",
          "send",
          "inbox",
          "poll",
          "wait",
          "watch",
          "server",
          "console",
          "connect",
          "ping",
          "token",
          "mcp",
          "demo",
          "reply",
          "thread",
          "status",
          "ack",
          "acks",
          "history",
          "group",
          "hook",
          "setup",
          "prune",
          "doctor",
          "host");

  private Main() {}

  /**
   * The command called {@code name}, or null. Made on demand: a call loads the classes of its own
   * command only (the start-up of a call is paid on every call).
   */
  static Command command(String name) {
    return switch (name) {
      case "register" -> new RegisterCommand();
      case "list" -> new ListCommand();
      case "send" -> new SendCommand();
      case "inbox" -> new InboxCommand();
      case "poll" -> new PollCommand();
      case "wait" -> new WaitCommand();
      case "watch" -> new WatchCommand();
      case "server" -> new ServerCommand();
      case "console" -> new ConsoleCommand();
      case "connect" -> new ConnectCommand();
      case "ping" -> new PingCommand();
      case "token" -> new TokenCommand();
      case "mcp" -> new McpCommand();
      case "demo" -> new DemoCommand();
      case "reply" -> new ReplyCommand();
      case "thread" -> new ThreadCommand();
      case "status" -> new StatusCommand();
      case "ack" -> new AckCommand();
      case "acks" -> new AcksCommand();
      case "history" -> new HistoryCommand();
      case "group" -> new GroupCommand();
      case "hook" -> new HookCommand();
      case "setup" -> new SetupCommand();
      case "prune" -> new PruneCommand();
      case "doctor" -> new DoctorCommand();
      case "host" -> new HostCommand();
      default -> null;
    };
  }

  private static List<Command> allCommands() {
    List<Command> all = new ArrayList<>();
    for (String name : COMMANDS) {
      all.add(command(name));
    }
    return all;
  }

  public static void main(String[] args) {
    PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    int code = run(System.in, out, err, System.getenv(), Path.of("").toAbsolutePath(), args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs one command line and returns its exit code; never exits the JVM.
   *
   * @param env the environment ({@code AGENT_MSG_HOME}, {@code AGENT_MSG_AGENT}, ...)
   */
  public static int run(
      InputStream in, PrintStream out, PrintStream err, Map<String, String> env, String... args) {
    return run(in, out, err, env, Path.of("").toAbsolutePath(), args);
  }

  /**
   * Runs one command line as a process started in {@code workingDirectory} would; never exits the
   * JVM, and reads no state of this process (its environment, standard streams or directory).
   *
   * @param env the environment ({@code AGENT_MSG_HOME}, {@code AGENT_MSG_AGENT}, ...)
   * @param workingDirectory what relative paths in arguments are taken against; absolute
   */
  public static int run(
      InputStream in,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Path workingDirectory,
      String... args) {
    return new Main().dispatch(in, out, err, env, workingDirectory, args);
  }

  private int dispatch(
      InputStream in,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Path workingDirectory,
      String[] args) {
    if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
      Usage.overview(out, allCommands());
      return args.length == 0 ? ExitCodes.USAGE : ExitCodes.OK;
    }
    if (args[0].equals("--version") || args[0].equals("-V") || args[0].equals("version")) {
      out.println("agent-msg " + Usage.version());
      return ExitCodes.OK;
    }
    if (args[0].equals("help")) {
      Command command = args.length > 1 ? command(args[1]) : null;
      if (command == null) {
        Usage.overview(out, allCommands());
      } else {
        Usage.command(out, command, withCommonOptions(command));
      }
      return ExitCodes.OK;
    }
    Command command = command(args[0]);
    if (command == null) {
      err.println("error[usage]: unknown command '" + args[0] + "' (see: agent-msg --help)");
      return ExitCodes.USAGE;
    }
    return run(
        command, Arrays.copyOfRange(args, 1, args.length), in, out, err, env, workingDirectory);
  }

  /**
   * Runs {@code command} with the arguments after its name and returns its exit code. A usage error
   * (a bad command line, or a {@link UsageException} of the command, which the commands throw for
   * the values their user gave) exits 2; an {@link AgentMsgException} exits with the status of its
   * code; anything else is a bug, reported as {@code error[internal]} with exit 1, never as a usage
   * error. Each is one line on standard error.
   */
  static int run(
      Command command,
      String[] arguments,
      InputStream in,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Path workingDirectory) {
    Options options = withCommonOptions(command);
    String[] rest = command.normalize(arguments);
    try {
      CommandLine line = new DefaultParser().parse(options, rest);
      if (line.hasOption("help")) {
        Usage.command(out, command, options);
        return ExitCodes.OK;
      }
      int code = command.run(new Invocation(line, in, out, err, env, workingDirectory));
      out.flush();
      return code;
    } catch (ParseException | UsageException e) {
      err.println(
          "error[usage]: " + e.getMessage() + " (see: agent-msg " + command.name() + " --help)");
      return ExitCodes.USAGE;
    } catch (AgentMsgException e) {
      err.println("error[" + e.code() + "]: " + e.getMessage());
      return ErrorCode.exitStatusOf(e.code());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error[interrupted]: " + command.name() + " was interrupted");
      return ExitCodes.FAILED;
    } catch (Exception e) {
      err.println("error[internal]: " + command.name() + " failed: " + e);
      return ExitCodes.FAILED;
    }
  }

  private static Options withCommonOptions(Command command) {
    Options options = new Options();
    for (Option option : command.options().getOptions()) {
      options.addOption(option);
    }
    options.addOption(Command.flag("h", "help", "Show this help"));
    if (!options.hasLongOption("json")) {
      options.addOption(
          Option.builder().longOpt("json").desc("Print one JSON object per line").get());
    }
    return options;
  }
}
