package agentmsg.cli;

import agentmsg.internal.store.StoreHost;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

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
    if (args.length != 1) {
      System.err.println("usage: CacheTraining <empty scratch data home>");
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
    while (!(StoreHost.isRunning(dataHome) && Files.exists(dataHome.resolve("agent-msg.lock.db")))
        && System.nanoTime() - deadline < 0) {
      pause();
    }
    failures += step(env, sink, ExitCodes.OK, "list");
    failures += step(env, sink, ExitCodes.OK, "send", "carol", "through the host", "-s", "alice");
    failures += step(env, sink, ExitCodes.OK, "send", "carol", "-", "-s", "alice", "--json");
    failures += step(env, sink, ExitCodes.OK, "inbox", "carol");
    failures += step(env, sink, ExitCodes.OK, "inbox", "carol", "--json", "--all");
    failures += step(env, sink, ExitCodes.OK, "host", "--stop");
    while (StoreHost.isRunning(dataHome) && System.nanoTime() - deadline < 0) {
      pause();
    }
    return failures;
  }

  /**
   * Creates the scratch home's database in a separate process: migrating loads Flyway and what it
   * brings, which no call on a current schema needs, and a JDK 25 AOT cache loads every class it
   * holds at each start. If that fails, the first step migrates here instead.
   */
  private static void createSchema(String home) {
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "list");
    builder.environment().put("AGENT_MSG_HOME", home);
    builder.environment().put("AGENT_MSG_STORE_HOST", "off");
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    try {
      builder.start().waitFor();
    } catch (java.io.IOException e) {
      System.err.println("could not create the scratch schema first: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
