package agentmsg.cli;

import agentmsg.DataHome;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The workload {@code bin/agent-msg} runs once per build and JDK to record the JVM's class-data
 * archive (JDK 17-24) or AOT cache (JDK 25+): the everyday commands, in one JVM, in a scratch data
 * home. Every class they load is then mapped from the archive instead of being found, read and
 * verified again by each CLI call. Not part of the command line; the launcher starts it with {@code
 * -cp agent-msg.jar agentmsg.cli.CacheTraining <scratch-home>}.
 */
public final class CacheTraining {
  private CacheTraining() {}

  public static void main(String[] args) {
    if (args.length == 2 && args[0].equals("--wire")) {
      System.exit(wire(args[1]) == 0 ? ExitCodes.OK : ExitCodes.FAILED);
    }
    if (args.length != 1) {
      System.err.println("usage: CacheTraining [--wire] <empty scratch data home>");
      System.exit(ExitCodes.USAGE);
    }
    Map<String, String> env =
        Map.of("AGENT_MSG_HOME", args[0], "HOME", args[0], "AGENT_MSG_STORE_HOST", "off");
    PrintStream sink =
        new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    createSchema(args[0]);
    int failures = 0;
    failures += step(env, sink, ExitCodes.OK, "register", "alice", "-t", "claude-code");
    failures += step(env, sink, ExitCodes.OK, "register", "bob", "-t", "codex", "--json");
    failures += step(env, sink, ExitCodes.OK, "list");
    failures += step(env, sink, ExitCodes.OK, "list", "--json");
    failures +=
        step(env, sink, ExitCodes.OK, "send", "bob", "can you run the tests?", "-s", "alice");
    failures += step(env, sink, ExitCodes.OK, "send", "bob", "-", "-s", "alice", "--json");
    failures += step(env, sink, ExitCodes.FAILED, "send", "nobody", "hello", "-s", "alice");
    failures += step(env, sink, ExitCodes.OK, "inbox", "bob");
    failures += step(env, sink, ExitCodes.OK, "send", "bob", "and the linter", "-s", "alice");
    failures += step(env, sink, ExitCodes.OK, "inbox", "bob", "--json");
    failures += step(env, sink, ExitCodes.OK, "inbox", "bob", "--all");
    failures += step(env, sink, ExitCodes.OK, "inbox", "bob", "--all", "--json");
    failures += step(env, sink, ExitCodes.OK, "send", "alice", "done", "-s", "bob");
    failures += step(env, sink, ExitCodes.OK, "wait", "alice", "--timeout", "5");
    failures += step(env, sink, ExitCodes.OK, "send", "alice", "again", "-s", "bob");
    failures += step(env, sink, ExitCodes.OK, "wait", "alice", "--json", "--timeout", "5");
    failures += step(env, sink, ExitCodes.TIMEOUT, "wait", "alice", "--timeout", "0");
    failures += step(env, sink, ExitCodes.OK, "send", "--help");
    failures += step(env, sink, ExitCodes.OK, "--version");
    failures += throughHost(args[0], sink);
    System.exit(failures == 0 ? ExitCodes.OK : ExitCodes.FAILED);
  }

  /**
   * The same calls as clients of a store host, which is how most calls reach the database: starts
   * one the way a call does, runs the everyday commands through it, and stops it.
   */
  private static int throughHost(String home, PrintStream sink) {
    Map<String, String> env =
        Map.of("AGENT_MSG_HOME", home, "HOME", home, "AGENT_MSG_STORE_HOST", "on");
    int failures = step(env, sink, ExitCodes.OK, "register", "carol", "-t", "open-code");
    Path dataHome = Path.of(home);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    // Serving once its lock is held and the database's lock file names its server.
    while (!(DataHome.hostRunning(dataHome) && Files.exists(dataHome.resolve("agent-msg.lock.db")))
        && System.nanoTime() - deadline < 0) {
      pause();
    }
    failures += step(env, sink, ExitCodes.OK, "list");
    failures += step(env, sink, ExitCodes.OK, "send", "carol", "through the host", "-s", "alice");
    failures += step(env, sink, ExitCodes.OK, "send", "carol", "-", "-s", "alice", "--json");
    failures += step(env, sink, ExitCodes.OK, "inbox", "carol");
    failures += step(env, sink, ExitCodes.OK, "inbox", "carol", "--json", "--all");
    failures += step(env, sink, ExitCodes.OK, "host", "--stop");
    while (DataHome.hostRunning(dataHome) && System.nanoTime() - deadline < 0) {
      pause();
    }
    return failures;
  }

  /**
   * The workload of the second cache, for the calls that talk to a server ({@code send -w}, {@code
   * ping}): they load the WebSocket client and the JSON codec, which the everyday commands do not,
   * and a JDK 25 AOT cache loads every class it holds at each start, so they get a cache of their
   * own. The server runs in a separate process, so that its classes stay out of it.
   *
   * @return how many steps went wrong
   */
  private static int wire(String home) {
    if (child(home, "register", "bob") != ExitCodes.OK) {
      System.err.println("training: could not register the scratch agent");
      return 1;
    }
    Process server;
    try {
      server = childProcess(home, "server", "-p", "0", "-q", "--no-auth").start();
    } catch (IOException e) {
      System.err.println("training: could not start a server: " + e);
      return 1;
    }
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
      String first = lines.readLine();
      int at = first == null ? -1 : first.indexOf("ws://");
      if (at < 0) {
        System.err.println("training: the server did not start: " + first);
        return 1;
      }
      String url = first.substring(at).strip();
      Map<String, String> env =
          Map.of("AGENT_MSG_HOME", home, "HOME", home, "AGENT_MSG_STORE_HOST", "off");
      PrintStream sink =
          new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
      int failures = 0;
      failures +=
          step(env, sink, ExitCodes.OK, "send", "bob", "hi", "-s", "alice", "-w", "-u", url);
      failures +=
          step(
              env,
              sink,
              ExitCodes.OK,
              "send",
              "bob",
              "-",
              "-s",
              "alice",
              "-w",
              "--json",
              "-u",
              url);
      failures +=
          step(
              env,
              sink,
              ExitCodes.TIMEOUT,
              "send",
              "-w",
              "--wait",
              "0.2",
              "bob",
              "and?",
              "-u",
              url);
      failures += step(env, sink, ExitCodes.FAILED, "send", "nobody", "hi", "-w", "-u", url);
      failures += step(env, sink, ExitCodes.FAILED, "ping", "bob", "-s", "alice", "-u", url);
      failures += step(env, sink, ExitCodes.FAILED, "ping", "bob", "--json", "-u", url);
      return failures;
    } catch (IOException e) {
      System.err.println("training: could not read the server's address: " + e);
      return 1;
    } finally {
      server.destroy();
      try {
        server.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Runs one command in a separate JVM in {@code home}; returns its exit code. */
  private static int child(String home, String... args) {
    try {
      return childProcess(home, args)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
    } catch (IOException e) {
      System.err.println("training: could not start a JVM: " + e);
      return ExitCodes.FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.FAILED;
    }
  }

  /** A command of this jar in a separate JVM, without the recording's flags, in {@code home}. */
  private static ProcessBuilder childProcess(String home, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("AGENT_MSG_HOME", home);
    builder.environment().put("AGENT_MSG_STORE_HOST", "off");
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    return builder;
  }

  /**
   * Creates the scratch home's database in a separate process: migrating loads Flyway and what it
   * brings, which no call on a current schema needs, and a JDK 25 AOT cache loads every class it
   * holds at each start. If that fails, the first step migrates here instead.
   */
  private static void createSchema(String home) {
    if (child(home, "list") != ExitCodes.OK) {
      System.err.println("could not create the scratch schema first");
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int step(Map<String, String> env, PrintStream sink, int expected, String... args) {
    InputStream in =
        new ByteArrayInputStream("a body\nfrom stdin\n".getBytes(StandardCharsets.UTF_8));
    int code = Main.run(in, sink, sink, env, args);
    if (code != expected) {
      System.err.println(
          "training step '" + String.join(" ", args) + "' exited " + code + ", not " + expected);
      return 1;
    }
    return 0;
  }
}
