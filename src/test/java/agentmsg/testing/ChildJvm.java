package agentmsg.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Starts a real second JVM on this test's class path: the CLI ({@code agentmsg.cli.Main}) or a test
 * program. Output is collected line by line on daemon threads.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BlockingQueue<String> stdoutLines = new LinkedBlockingQueue<>();
  private final List<String> stdout = java.util.Collections.synchronizedList(new ArrayList<>());
  private final StringBuffer stderr = new StringBuffer();
  private final CompletableFuture<Void> stdoutDone = new CompletableFuture<>();
  private final CompletableFuture<Void> stderrDone = new CompletableFuture<>();

  private ChildJvm(Process process) {
    this.process = process;
    pump(
        process.getInputStream(),
        line -> {
          stdout.add(line);
          stdoutLines.add(line);
        },
        stdoutDone,
        "stdout");
    pump(process.getErrorStream(), line -> stderr.append(line).append('\n'), stderrDone, "stderr");
  }

  /** Starts the CLI with {@code AGENT_MSG_HOME=home} and the given extra environment. */
  public static ChildJvm cli(Path home, Map<String, String> env, String... args) {
    return start("agentmsg.cli.Main", home, env, args);
  }

  /** Starts {@code agent-msg server -p 0 -q} on {@code home}; {@link #serverUrl} says where. */
  public static ChildJvm server(Path home) {
    return cli(home, Map.of(), "server", "-p", "0", "-q");
  }

  /** Starts {@code mainClass} with {@code AGENT_MSG_HOME=home}. */
  public static ChildJvm start(
      String mainClass, Path home, Map<String, String> env, String... args) {
    ProcessBuilder builder = builder(mainClass, home, env, args);
    try {
      return new ChildJvm(builder.start());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + builder.command(), e);
    }
  }

  /**
   * The process {@link #start} would start, for a test that handles its streams itself (e.g. one
   * that closes the child's stdout before the child writes).
   */
  public static ProcessBuilder builder(
      String mainClass, Path home, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Xshare:auto");
    command.add("-Dfile.encoding=UTF-8");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("AGENT_MSG_AGENT");
    builder.environment().remove("AGENT_MSG_URL");
    builder.environment().put("AGENT_MSG_HOME", home.toString());
    builder.environment().put("LC_ALL", "C.UTF-8");
    // No store host outliving the test, unless the test asks for one.
    builder.environment().put("AGENT_MSG_STORE_HOST", "off");
    builder.environment().putAll(env);
    return builder;
  }

  /** Runs the CLI to completion (at most 60 s) and returns what it did. */
  public static Result run(Path home, String... args) {
    return runWithInput(home, null, args);
  }

  /** Runs the CLI with {@code input} on its standard input. */
  public static Result runWithInput(Path home, String input, String... args) {
    try (ChildJvm child = cli(home, Map.of(), args)) {
      child.writeStdin(input);
      return child.awaitExit(60);
    }
  }

  public void writeStdin(String input) {
    try {
      if (input != null) {
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write to the child's stdin", e);
    }
  }

  /** Writes {@code line} and a newline to the child's stdin, leaving it open. */
  public void writeLine(String line) {
    try {
      process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write to the child's stdin", e);
    }
  }

  /** Writes {@code bytes} to the child's stdin as they are, leaving it open. */
  public void writeBytes(byte[] bytes) {
    try {
      process.getOutputStream().write(bytes);
      process.getOutputStream().flush();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write to the child's stdin", e);
    }
  }

  /** Closes the child's stdin (end of input). */
  public void closeStdin() {
    writeStdin(null);
  }

  /**
   * The URL a server child (see {@link #server}) listens on: its first line, waited for up to 60 s.
   *
   * @throws AssertionError if the server printed no such line
   */
  public URI serverUrl() throws InterruptedException {
    String line = nextLine(60);
    String prefix = "agent-msg server listening on ws://127.0.0.1:";
    if (line == null || !line.startsWith(prefix)) {
      throw new AssertionError(
          "expected the server's first line, got " + line + "; stderr: " + stderrSoFar());
    }
    return URI.create(line.substring(line.indexOf("ws://")));
  }

  /**
   * Waits up to 30 s for {@code text} to appear on the child's stderr.
   *
   * @throws AssertionError if it does not, with what the child printed
   */
  public void awaitStderr(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!stderrSoFar().contains(text)) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("waiting for '" + text + "' in: " + stderrSoFar());
      }
      Thread.sleep(50);
    }
  }

  /**
   * The next stdout line that is not blank, waiting up to {@code seconds} for each.
   *
   * @throws AssertionError if none comes, with the child's stderr
   */
  public String nextNonBlankLine(long seconds) throws InterruptedException {
    while (true) {
      String line = nextLine(seconds);
      if (line == null) {
        throw new AssertionError("no line within " + seconds + " s; stderr: " + stderrSoFar());
      }
      if (!line.isBlank()) {
        return line;
      }
    }
  }

  /** Waits for the next stdout line, or returns null after {@code seconds}. */
  public String nextLine(long seconds) throws InterruptedException {
    return stdoutLines.poll(seconds, TimeUnit.SECONDS);
  }

  /** Waits for the process to end and its output to be read. */
  public Result awaitExit(long seconds) {
    try {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("child did not exit within " + seconds + " s; stderr:\n" + stderr);
      }
      stdoutDone.get(10, TimeUnit.SECONDS);
      stderrDone.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("output of the child was not fully read", e);
    }
    return new Result(process.exitValue(), String.join("\n", stdout), stderr.toString());
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the process the way {@code kill -9} does. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * Sends SIGTERM and waits for the exit. Through the process handle: {@code Process.destroy()}
   * would also close our ends of the child's streams, losing what it prints while stopping.
   */
  public Result terminate(long seconds) {
    process.toHandle().destroy();
    return awaitExit(seconds);
  }

  public List<String> stdoutSoFar() {
    synchronized (stdout) {
      return List.copyOf(stdout);
    }
  }

  public String stderrSoFar() {
    return stderr.toString();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private static void pump(
      java.io.InputStream stream,
      java.util.function.Consumer<String> sink,
      CompletableFuture<Void> done,
      String name) {
    Thread thread =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                  sink.accept(line);
                }
                done.complete(null);
              } catch (IOException e) {
                done.completeExceptionally(e);
              }
            },
            "child-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** What a finished child did. */
  public record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
    }
  }
}
