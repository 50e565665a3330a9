package agentmsg.internal.host;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JDK-only client of the CLI host, for machines without the native client: hands the command
 * line to the host of the data home and prints what it answers. Exits with {@link Frames#FALL_BACK}
 * when nothing ran (no host, another build, a command the host does not run), so the launcher runs
 * the call in its own JVM instead.
 */
public final class HostClient {
  private static final Set<String> PASSED =
      Set.of("HOME", "HOSTNAME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TZ");

  private static final Pattern AGENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

  private static final String LOST =
      "error[host-lost]: the agent-msg host stopped during the call; it may or may not have taken"
          + " effect (see: agent-msg status)";

  private HostClient() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), Path.of("").toAbsolutePath()));
  }

  static int run(String[] args, Map<String, String> env, Path workingDirectory) {
    Path home = home(env, workingDirectory);
    if (args.length > 0 && args[0].equals("hook")) {
      String agent = hookAgent(args, env);
      if (agent != null && HookMark.nothingNew(home, agent)) {
        drainInput();
        return 0;
      }
    }
    Path code = Frames.codeSource();
    SocketChannel channel;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(Frames.socket(home)));
    } catch (IOException | RuntimeException noHost) {
      return Frames.FALL_BACK;
    }
    try (channel) {
      OutputStream out = new BufferedOutputStream(Frames.output(channel), 8192);
      Frames.write(
          out,
          Frames.HELLO_FRAME,
          Frames.HELLO + "\n" + (code == null ? "-\n0 0 0" : Frames.codeStamp(code)) + "\n");
      for (String arg : args) {
        Frames.write(out, Frames.ARGUMENT, arg);
      }
      for (Map.Entry<String, String> variable : env.entrySet()) {
        String name = variable.getKey();
        if (name.startsWith("AGENT_MSG_") || PASSED.contains(name)) {
          Frames.write(out, Frames.VARIABLE, name + "=" + variable.getValue());
        }
      }
      Frames.write(out, Frames.DIRECTORY, workingDirectory.toString());
      Frames.write(out, Frames.TERMINAL, new byte[] {(byte) (onTerminal() ? '1' : '0')});
      Frames.write(out, Frames.RUN, new byte[0]);
      out.flush();
      return answer(new DataInputStream(Frames.input(channel)), out);
    } catch (IOException e) {
      System.err.println(LOST);
      return 1;
    }
  }

  /** Prints the host's answer; returns the exit code. */
  private static int answer(DataInputStream in, OutputStream toHost) throws IOException {
    FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
    FileOutputStream stderr = new FileOutputStream(FileDescriptor.err);
    while (true) {
      Frames.Frame frame;
      try {
        frame = Frames.read(in);
      } catch (IOException e) {
        frame = null;
      }
      if (frame == null) {
        System.err.println(LOST);
        return 1;
      }
      switch (frame.type()) {
        case Frames.NOT_SERVED, Frames.WRONG_BUILD -> {
          return Frames.FALL_BACK;
        }
        case Frames.STDOUT -> {
          try {
            stdout.write(frame.payload());
          } catch (IOException closedPipe) {
            return 1;
          }
          synchronized (toHost) {
            Frames.write(toHost, Frames.PRINTED, new byte[0]);
            toHost.flush();
          }
        }
        case Frames.STDERR -> {
          stderr.write(frame.payload());
        }
        case Frames.SEND_INPUT -> {
          Thread pump = new Thread(() -> pumpInput(toHost), "agent-msg-client-stdin");
          pump.setDaemon(true);
          pump.start();
        }
        case Frames.EXIT -> {
          byte[] code = frame.payload();
          if (code.length != 4) {
            System.err.println("error[host-protocol]: a malformed exit frame from the host");
            return 1;
          }
          return ((code[0] & 0xff) << 24)
              | ((code[1] & 0xff) << 16)
              | ((code[2] & 0xff) << 8)
              | (code[3] & 0xff);
        }
        default -> {
          System.err.println("error[host-protocol]: an unknown frame from the host");
          return 1;
        }
      }
    }
  }

  private static void pumpInput(OutputStream toHost) {
    byte[] buffer = new byte[65536];
    try {
      InputStream in = System.in;
      int n;
      while ((n = in.read(buffer)) > 0) {
        synchronized (toHost) {
          Frames.write(toHost, Frames.INPUT, buffer, 0, n);
          toHost.flush();
        }
      }
    } catch (IOException unreadable) {
      // Ends the input, as end of file would.
    }
    try {
      synchronized (toHost) {
        Frames.write(toHost, Frames.INPUT_END, new byte[0]);
        toHost.flush();
      }
    } catch (IOException gone) {
      // The host is gone; the main thread reports it.
    }
  }

  /** The data home, as {@code agentmsg.Options} finds it. */
  static Path home(Map<String, String> env, Path workingDirectory) {
    String home = env.get("AGENT_MSG_HOME");
    if (home != null && !home.isBlank()) {
      return workingDirectory.resolve(home).normalize();
    }
    String user = env.get("HOME");
    if (user == null || user.isBlank()) {
      user = System.getProperty("user.home");
    }
    return Path.of(user, ".agent-msg").toAbsolutePath();
  }

  /** The agent a {@code hook} call is for, or null when the fast path does not apply. */
  static String hookAgent(String[] args, Map<String, String> env) {
    String agent = null;
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        return null;
      } else if ((arg.equals("-s") || arg.equals("--agent")) && i + 1 < args.length) {
        agent = args[++i];
      } else if (arg.startsWith("--agent=")) {
        agent = arg.substring("--agent=".length());
      }
    }
    if (agent == null) {
      agent = env.get("AGENT_MSG_AGENT");
    }
    return agent != null && AGENT.matcher(agent).matches() ? agent : null;
  }

  // SystemConsoleNull: on JDK 17, which this targets, a null console means no terminal; JDK 22+
  // would need Console.isTerminal(), which JDK 17 lacks.
  @SuppressWarnings("SystemConsoleNull")
  private static boolean onTerminal() {
    return System.console() != null;
  }

  private static void drainInput() {
    if (onTerminal()) {
      return;
    }
    try {
      System.in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException ignored) {
      // Nothing to drain.
    }
  }
}
