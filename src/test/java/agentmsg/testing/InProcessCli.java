package agentmsg.testing;

import agentmsg.cli.Main;
import agentmsg.internal.host.Frames;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the CLI against a data home, the way the system property {@code agentmsg.cli} says:
 *
 * <ul>
 *   <li>{@code inprocess} (the default): {@code Main.run} in this JVM, fast;
 *   <li>{@code java}: through a real store host process (started on first use, one per data home,
 *       stopped by {@link #stopHosts}), each call a JVM of the JDK-only client;
 *   <li>{@code native}: the same, each call a process of the native client, built here with the
 *       system's C compiler.
 * </ul>
 *
 * The suites that use it run once per mode (see the pom), so every command's output, exit code and
 * errors are checked byte for byte through each path. Commands the host leaves to their own process
 * ({@code poll}, {@code wait}, ...) run in this JVM in every mode, as the launcher would run them.
 */
public final class InProcessCli {
  /** The mode of this test run. */
  public static final String MODE = System.getProperty("agentmsg.cli", "inprocess");

  private static final Set<String> OWN_PROCESS =
      Set.of("poll", "wait", "watch", "connect", "mcp", "server", "host", "demo");

  private static final Map<Path, ChildJvm> HOSTS = new ConcurrentHashMap<>();

  private final Path home;

  public InProcessCli(Path home) {
    this.home = home;
  }

  public ChildJvm.Result run(String... args) {
    return runWithInput("", args);
  }

  public ChildJvm.Result runWithInput(String input, String... args) {
    if (MODE.equals("inprocess") || runsInItsOwnProcess(args)) {
      return inProcess(home, input, args);
    }
    ensureHost(home);
    return throughClient(input, args);
  }

  /** Stops every host the tests of this JVM started; call it after each test. */
  public static void stopHosts() {
    for (Path home : List.copyOf(HOSTS.keySet())) {
      ChildJvm host = HOSTS.remove(home);
      if (host != null) {
        host.close();
      }
    }
  }

  private static boolean runsInItsOwnProcess(String[] args) {
    if (args.length == 0 || OWN_PROCESS.contains(args[0])) {
      return args.length > 0;
    }
    if (args[0].equals("doctor") && List.of(args).contains("--repair")) {
      return true;
    }
    if (args[0].equals("send") || args[0].equals("reply")) {
      for (String arg : args) {
        if (arg.equals("--")) {
          break;
        }
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        if (Set.of("--wait", "--wait-read", "--wait-ack").contains(name)) {
          return true;
        }
      }
    }
    return false;
  }

  private static ChildJvm.Result inProcess(Path home, String input, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = new HashMap<>();
    env.put("AGENT_MSG_HOME", home.toString());
    env.put("HOSTNAME", "test-host");
    env.put("AGENT_MSG_STORE_HOST", "off");
    int code;
    try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code =
          Main.run(
              new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
              outStream,
              errStream,
              env,
              args);
    }
    return new ChildJvm.Result(
        code,
        out.toString(StandardCharsets.UTF_8).strip(),
        err.toString(StandardCharsets.UTF_8).strip());
  }

  /** Starts the host of {@code home} once: it serves a store that exists, so one is made first. */
  private static void ensureHost(Path home) {
    HOSTS.computeIfAbsent(
        home,
        key -> {
          if (!Files.exists(home.resolve("agent-msg.mv.db"))) {
            ChildJvm.Result made = inProcess(home, "", "list");
            if (made.exitCode() != 0) {
              throw new AssertionError("could not make the store: " + made);
            }
          }
          return startHost(home);
        });
  }

  /**
   * Starts a store host process for {@code home} (which must hold a store) and returns once its CLI
   * socket accepts calls.
   */
  public static ChildJvm startHost(Path home) {
    ChildJvm host = ChildJvm.start("agentmsg.cli.HostProcess", home, Map.of(), home.toString());
    awaitSocket(home, host);
    return host;
  }

  private static void awaitSocket(Path home, ChildJvm host) {
    Path socket = Frames.socket(home);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() - deadline < 0) {
      if (Files.exists(socket)) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          probe.connect(UnixDomainSocketAddress.of(socket));
          return;
        } catch (IOException notYet) {
          // Bound but not accepting yet, or a stale file.
        }
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
    host.close();
    throw new AssertionError("the host did not listen on " + socket + ": " + host.stderrSoFar());
  }

  private ChildJvm.Result throughClient(String input, String... args) {
    Path classes = Frames.codeSource();
    List<String> command = new ArrayList<>();
    if (MODE.equals("native")) {
      command.add(NativeClient.path().toString());
      command.add("--code");
      command.add(classes.toString());
      command.add("--");
    } else if (MODE.equals("java")) {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"));
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add("agentmsg.internal.host.HostClient");
    } else {
      throw new IllegalStateException("agentmsg.cli must be inprocess, java or native: " + MODE);
    }
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("AGENT_MSG_HOME", home.toString());
    builder.environment().put("HOSTNAME", "test-host");
    builder.environment().put("AGENT_MSG_STORE_HOST", "off");
    // As bin/agent-msg sets it where the locale is not UTF-8: the JVM decodes arguments by it.
    builder.environment().put("LC_ALL", "C.UTF-8");
    try {
      Process process = builder.start();
      CompletableFuture<byte[]> out = drain(process.getInputStream());
      CompletableFuture<byte[]> err = drain(process.getErrorStream());
      try {
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
      } catch (IOException closedEarly) {
        // A client may finish without reading its standard input (a hook with no agent, or with
        // nothing new): the pipe is then closed before the input is written. Its result stands.
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the client did not finish: " + command);
      }
      ChildJvm.Result result =
          new ChildJvm.Result(
              process.exitValue(),
              new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip(),
              new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip());
      if (result.exitCode() == Frames.FALL_BACK || result.stderr().startsWith("error[no-host]")) {
        throw new AssertionError("the host did not run a command it serves: " + List.of(args));
      }
      return result;
    } catch (IOException
        | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static CompletableFuture<byte[]> drain(java.io.InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            return new byte[0];
          }
        });
  }
}
