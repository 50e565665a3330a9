package agentmsg.bench;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Options;
import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Wall time of one command, from starting the process to its exit, for the CLI commands and for the
 * floors (a Java hello world on the same JDK, {@code node -e 0}). The commands take turns, so noise
 * from other work on the machine falls on all of them alike.
 */
final class CliBench {
  /** One command line to time. */
  record Call(String name, List<String> command, Map<String, String> extraEnv, Path home) {}

  static final String HELLO = "java hello world";
  static final String NODE = "node -e 0";
  static final String SEND_WIRE = "send -w (through a server)";

  private final Setup setup;
  private final Setup.Jdk jdk;
  private int rebuilds;

  CliBench(Setup setup, Setup.Jdk jdk) {
    this.setup = setup;
    this.jdk = jdk;
  }

  /**
   * Times each call {@code runs} times after {@code warmups} untimed runs.
   *
   * @param variants launcher environments to compare, by name (empty map: as a user runs it)
   */
  Map<String, Stats> run(
      int warmups, int runs, boolean withNode, Map<String, Map<String, String>> variants)
      throws IOException, InterruptedException {
    List<Call> calls = new ArrayList<>();
    Map<String, Path> homes = new LinkedHashMap<>();
    Path floorHome = setup.newHome("cli-" + jdk.key());
    calls.add(
        new Call(
            HELLO,
            List.of(jdk.java(), "-cp", setup.helloClasses().toString(), "Hello"),
            Map.of(),
            floorHome));
    if (withNode) {
      calls.add(new Call(NODE, List.of("node", "-e", "0"), Map.of(), floorHome));
    }
    String launcher = setup.launcher().toString();
    for (Map.Entry<String, Map<String, String>> variant : variants.entrySet()) {
      String suffix = variant.getKey().isEmpty() ? "" : " (" + variant.getKey() + ")";
      Map<String, String> extra = variant.getValue();
      // Each variant has its own data home: a store host started by one must not serve another.
      Path home = setup.newHome("cli-" + jdk.key() + "-" + homes.size());
      homes.put(variant.getKey(), home);
      try (AgentMessenger alice =
          AgentMessenger.open(
              Options.builder().home(home).agent("alice").warningListener(w -> {}).build())) {
        alice.register("alice", AgentType.CODEX);
        alice.register("bob", AgentType.OTHER);
      }
      calls.add(
          new Call(
              "send" + suffix,
              List.of(launcher, "send", "bob", "benchmark message", "-s", "alice"),
              extra,
              home));
      calls.add(new Call("inbox" + suffix, List.of(launcher, "inbox", "bob"), extra, home));
      calls.add(new Call("list" + suffix, List.of(launcher, "list"), extra, home));
    }
    // `send -w` as a remote agent sends: through a server (here in the harness JVM, with the
    // agents' tokens), in a data home of its own.
    Path wireHome = setup.newHome("cli-" + jdk.key() + "-wire");
    try (AgentMessenger alice =
        AgentMessenger.open(
            Options.builder().home(wireHome).agent("alice").warningListener(w -> {}).build())) {
      alice.register("alice", AgentType.CODEX);
      alice.register("bob", AgentType.OTHER);
    }
    AgentMsgServer server =
        AgentMsgServer.start(
            ServerOptions.builder()
                .home(wireHome)
                .port(0)
                .log(new PrintStream(OutputStream.nullOutputStream()))
                .build());
    calls.add(
        new Call(
            SEND_WIRE,
            List.of(
                launcher,
                "send",
                "bob",
                "benchmark message",
                "-s",
                "alice",
                "-w",
                "-u",
                server.uri().toString()),
            Map.of(),
            wireHome));
    Map<String, List<Double>> times = new LinkedHashMap<>();
    for (Call call : calls) {
      times.put(call.name(), new ArrayList<>());
    }
    Path stderr = setup.stderrFile("cli-" + jdk.key());
    try {
      timeRounds(calls, warmups, runs, times, stderr);
    } finally {
      server.stop();
      // Stop the store hosts the calls started (they would otherwise serve, idle, for minutes).
      for (Path home : homes.values()) {
        Call stop = new Call("host --stop", List.of(launcher, "host", "--stop"), Map.of(), home);
        time(stop, stderr);
      }
    }
    Map<String, Stats> stats = new LinkedHashMap<>();
    times.forEach((name, millis) -> stats.put(name, Stats.of(millis)));
    return stats;
  }

  private void timeRounds(
      List<Call> calls, int warmups, int runs, Map<String, List<Double>> times, Path stderr)
      throws IOException, InterruptedException {
    for (int round = 0; round < warmups + runs; round++) {
      for (Call call : calls) {
        double millis = time(call, stderr);
        String diagnostics = Files.readString(stderr);
        if (diagnostics.contains("agent-msg: building")
            || diagnostics.contains("agent-msg: recording")) {
          // The sources changed meanwhile and the launcher rebuilt the jar and its start-up cache.
          rebuilds++;
          millis = time(call, stderr);
        }
        if (round >= warmups) {
          times.get(call.name()).add(millis);
        }
      }
    }
  }

  /** How many calls were repeated because the launcher rebuilt the jar during them. */
  int rebuilds() {
    return rebuilds;
  }

  private double time(Call call, Path stderr) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(call.command());
    builder.environment().clear();
    builder.environment().putAll(setup.env(jdk, call.home()));
    builder.environment().putAll(call.extraEnv());
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Files.deleteIfExists(stderr);
    builder.redirectError(stderr.toFile());
    long start = System.nanoTime();
    Process process = builder.start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(call.name() + " did not finish in 120 s");
    }
    long end = System.nanoTime();
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          call.name()
              + " exited "
              + process.exitValue()
              + ": "
              + String.join(" ", call.command())
              + "\n"
              + Files.readString(stderr));
    }
    return (end - start) / 1e6;
  }
}
