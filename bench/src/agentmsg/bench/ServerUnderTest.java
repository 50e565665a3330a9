package agentmsg.bench;

import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An agent-msg server on a fresh data home, on a free loopback port: either a child process started
 * through {@code bin/agent-msg server -q} (what a user runs) or an {@link AgentMsgServer} inside
 * the harness JVM. Closing it stops it (SIGTERM, then SIGKILL, for a child).
 */
final class ServerUnderTest implements AutoCloseable {
  private final Child child;
  private final AgentMsgServer embedded;
  private final PrintStream embeddedLog;
  private final URI uri;

  private ServerUnderTest(Child child, AgentMsgServer embedded, PrintStream log, URI uri) {
    this.child = child;
    this.embedded = embedded;
    this.embeddedLog = log;
    this.uri = uri;
  }

  static ServerUnderTest start(Setup setup, Setup.Jdk jdk, boolean inProcess, String name)
      throws IOException, InterruptedException {
    Path home = setup.newHome(name);
    Path stderr = setup.stderrFile(name + "-server");
    if (inProcess) {
      OutputStream file = Files.newOutputStream(stderr);
      PrintStream log = new PrintStream(file, true, StandardCharsets.UTF_8);
      AgentMsgServer server =
          AgentMsgServer.start(
              ServerOptions.builder()
                  .home(home)
                  .port(0)
                  .noAuth()
                  .log(log)
                  .logDeliveries(false)
                  .build());
      return new ServerUnderTest(null, server, log, server.uri());
    }
    return child(setup, jdk, home, stderr, List.of());
  }

  /** Starts {@code bin/agent-msg server -p 0 -q --no-auth} with {@code extra} arguments. */
  private static ServerUnderTest child(
      Setup setup, Setup.Jdk jdk, Path home, Path stderr, List<String> extra)
      throws IOException, InterruptedException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(setup.launcher().toString(), "server", "-p", "0", "-q", "--no-auth"));
    command.addAll(extra);
    Child child = Child.start(command, setup.env(jdk, home), stderr);
    try {
      String line = child.nextLine(120_000).text();
      int at = line.indexOf("ws://");
      if (at < 0) {
        throw new IllegalStateException("unexpected server output: " + line);
      }
      return new ServerUnderTest(child, null, null, URI.create(line.substring(at).strip()));
    } catch (RuntimeException | InterruptedException e) {
      child.close();
      throw e;
    }
  }

  /**
   * Starts {@code bin/agent-msg server -q --no-auth --db <db>} as a child on a fresh home: one of
   * several servers sharing a PostgreSQL database.
   */
  static ServerUnderTest startShared(Setup setup, Setup.Jdk jdk, String name, String db)
      throws IOException, InterruptedException {
    return child(
        setup, jdk, setup.newHome(name), setup.stderrFile(name + "-server"), List.of("--db", db));
  }

  /** Kills the server child the way {@code kill -9} does. */
  void kill9() throws InterruptedException {
    child.process().destroyForcibly();
    child.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  URI uri() {
    return uri;
  }

  boolean inProcess() {
    return embedded != null;
  }

  /** The server process's resident set size in KiB (the whole harness JVM when in process). */
  long rssKib() {
    if (child != null) {
      return child.rssKib();
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException unknown) {
      return -1;
    }
    return -1;
  }

  /** User plus system CPU time of the server process in clock ticks, or -1 when in process. */
  long cpuTicks() throws IOException {
    return child == null ? -1 : child.cpuTicks();
  }

  /**
   * CPU time in clock ticks by thread name (see {@link Child#threadCpuTicks}); empty in process.
   */
  Map<String, Long> threadCpuTicks() throws IOException {
    return child == null ? Map.of() : child.threadCpuTicks();
  }

  long pid() {
    return child != null ? child.pid() : ProcessHandle.current().pid();
  }

  String stderrTail() {
    return child == null ? "" : child.stderrTail();
  }

  @Override
  public void close() {
    if (child != null) {
      child.close();
    }
    if (embedded != null) {
      embedded.stop();
      embeddedLog.close();
    }
  }
}
