package agentmsg.bench;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.Options;
import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One CLI call, from starting the process to its exit: wall time and the CPU time of the process
 * tree ({@link CallTimer}). Each command runs through {@code bin/agent-msg} with the native client
 * (the default), the Java client ({@code AGENT_MSG_CLIENT=java}) and in its own JVM ({@code
 * AGENT_MSG_CLIENT=off}), each in a data home of its own with its own store host; beside them the
 * original Node tool, when given, and the floors (a Java hello world on the same JDK, {@code node
 * -e 0}). The calls take turns, so noise from other work on the machine falls on all of them alike.
 */
final class CliBench {
  /** An untimed step before each timed run of a call. */
  interface Prepare {
    void run() throws IOException, InterruptedException;
  }

  /** One command line to time. */
  private record Call(
      String command,
      String variant,
      List<String> line,
      Map<String, String> env,
      Path stdin,
      Prepare prepare,
      boolean nativeClient) {
    String name() {
      return variant == null ? command : command + " (" + variant + ")";
    }
  }

  /**
   * What one call measured; {@code original} names the original's row it is compared with (null:
   * the original has no such command).
   */
  record Row(String command, String variant, Stats wall, Stats cpu, String original) {
    String name() {
      return variant == null ? command : command + " (" + variant + ")";
    }
  }

  /** All rows by name, in report order, and what the run noticed on the way. */
  record Result(Map<String, Row> rows, List<String> notes) {}

  /** A launcher environment to compare; {@code everyCommand} false: send, inbox and list only. */
  private record Variant(String label, Map<String, String> env, boolean everyCommand) {}

  static final String HELLO = "Java hello world";
  static final String NODE = "node -e 0";
  static final String NATIVE = "native client";
  static final String ORIGINAL = "original";
  static final String SEND_WIRE = "send -w";
  static final String HOOK_IDLE = "hook -s bob, nothing new";
  static final String HOOK_NEW = "hook -s carol, one new message";

  /**
   * More CPU than this in a native-client call means a JVM ran in it: the host did not serve it (a
   * JVM alone takes several times this; the client and the launcher's bash a few milliseconds).
   */
  static final double NATIVE_JVM_CPU_MILLIS = 30;

  private static final String HOOK_INPUT = "{\"hook_event_name\":\"PostToolUse\"}\n";
  private static final String BODY = "benchmark message";

  private final Setup setup;
  private final Setup.Jdk jdk;
  private final StoreHosts hosts;
  private final Map<String, Path> homes = new LinkedHashMap<>();
  private final Map<Variant, Path> mainHomes = new LinkedHashMap<>();
  private final Map<Variant, Path> hookHomes = new LinkedHashMap<>();
  private final Map<Variant, String> statusIds = new HashMap<>();
  private final Path stderr;
  private final List<String> notes = new ArrayList<>();
  private int rebuilds;
  private int missedHost;
  private int unserved;

  CliBench(Setup setup, Setup.Jdk jdk) {
    this.setup = setup;
    this.jdk = jdk;
    this.hosts = new StoreHosts(setup, jdk, "cli-" + jdk.key());
    this.stderr = setup.stderrFile("cli-" + jdk.key());
  }

  /**
   * Times each call {@code runs} times after {@code warmups} untimed runs.
   *
   * @param original a checkout of the original tool with node_modules, or null to skip it
   */
  Result run(int warmups, int runs, boolean withNode, Path original, boolean cacheCompare)
      throws IOException, InterruptedException {
    List<Variant> variants = variants(cacheCompare);
    List<Call> calls = floors(withNode);
    Map<String, String> originals = new HashMap<>();
    makeHomes(variants);
    OriginalTool tool = original == null ? null : new OriginalTool(setup, jdk, original);
    for (List<String> args :
        List.of(
            List.of("send", "bob", BODY, "-s", "alice"),
            List.of("inbox", "bob"),
            List.of("list"))) {
      String command = args.get(0);
      for (Variant variant : variants) {
        calls.add(ours(command, variant, args, mainHomes.get(variant), null, null));
      }
      if (tool != null) {
        Prepare prepare = command.equals("inbox") ? tool::leaveOneMessage : null;
        calls.add(
            new Call(command, ORIGINAL, tool.command(args), tool.env(), null, prepare, false));
      }
      originals.put(command, command + " (" + ORIGINAL + ")");
    }
    calls.addAll(readsAndHooks(variants));
    // The hooks answer what an agent of the original learns from its inbox.
    originals.put(HOOK_IDLE, "inbox (" + ORIGINAL + ")");
    originals.put(HOOK_NEW, "inbox (" + ORIGINAL + ")");

    // `send -w` as a remote agent sends: through our server (here in the harness JVM, with the
    // agents' tokens), in a data home of its own; the original's through its own server.
    Path wireHome = setup.newHome("cli-" + jdk.key() + "-wire");
    homes.put("send -w", wireHome);
    register(wireHome, "alice", "bob");
    AgentMsgServer server =
        AgentMsgServer.start(
            ServerOptions.builder()
                .home(wireHome)
                .port(0)
                .log(new PrintStream(OutputStream.nullOutputStream()))
                .build());
    List<String> wire =
        List.of(
            setup.launcher().toString(),
            "send",
            "bob",
            BODY,
            "-s",
            "alice",
            "-w",
            "-u",
            server.uri().toString());
    calls.add(
        new Call(
            SEND_WIRE, "through our server", wire, setup.env(jdk, wireHome), null, null, false));
    originals.put(SEND_WIRE, SEND_WIRE + " --wait (" + ORIGINAL + ")");

    Map<String, List<double[]>> samples = new LinkedHashMap<>();
    try {
      if (tool != null) {
        String url = tool.startServer();
        calls.add(
            new Call(
                SEND_WIRE + " --wait",
                ORIGINAL,
                tool.command(
                    List.of("send", "bob", BODY, "-s", "alice", "-w", "-u", url, "--wait")),
                tool.env(),
                null,
                null,
                false));
      }
      for (Call call : calls) {
        samples.put(call.name(), new ArrayList<>());
      }
      hosts.ensureServing();
      for (int round = 0; round < warmups + runs; round++) {
        if (round == warmups) {
          hosts.ensureServing(); // warm, and serving, before the first timed call
        }
        for (Call call : calls) {
          CallTimer.Sample sample = measure(call);
          if (round >= warmups) {
            samples.get(call.name()).add(new double[] {sample.wallMillis(), sample.cpuMillis()});
          }
        }
      }
    } finally {
      server.stop();
      if (tool != null) {
        tool.close();
      }
      List<String> notServing = hosts.notServing();
      // Stop the store hosts the calls started (they would otherwise serve, idle, for minutes).
      hosts.stopAll(homes.values());
      if (!notServing.isEmpty()) {
        notes.add("the store host of " + notServing + " did not serve calls at the end of the run");
      }
    }
    return new Result(rows(calls, samples, originals), notes());
  }

  private static List<Variant> variants(boolean cacheCompare) {
    List<Variant> variants = new ArrayList<>();
    variants.add(new Variant(NATIVE, Map.of(), true));
    variants.add(new Variant("Java client", Map.of("AGENT_MSG_CLIENT", "java"), true));
    variants.add(new Variant("own JVM", Map.of("AGENT_MSG_CLIENT", "off"), true));
    variants.add(
        new Variant(
            "own JVM, no store host",
            Map.of("AGENT_MSG_CLIENT", "off", "AGENT_MSG_STORE_HOST", "off"),
            false));
    if (cacheCompare) {
      variants.add(
          new Variant(
              "own JVM, no CDS/AOT cache",
              Map.of("AGENT_MSG_CLIENT", "off", "AGENT_MSG_CDS", "off"),
              false));
    }
    return variants;
  }

  private List<Call> floors(boolean withNode) throws IOException {
    List<Call> calls = new ArrayList<>();
    Path floorHome = setup.newHome("cli-" + jdk.key() + "-floor");
    calls.add(
        new Call(
            HELLO,
            null,
            List.of(jdk.java(), "-cp", setup.helloClasses().toString(), "Hello"),
            setup.env(jdk, floorHome),
            null,
            null,
            false));
    if (withNode) {
      calls.add(
          new Call(
              NODE,
              null,
              List.of("node", "-e", "0"),
              setup.env(jdk, floorHome),
              null,
              null,
              false));
    }
    return calls;
  }

  /**
   * Each variant's data homes (a store host serves one home): one for the everyday commands, one
   * for the hooks (whose "nothing new" needs an inbox folder nothing lands in).
   */
  private void makeHomes(List<Variant> variants) throws IOException {
    for (Variant variant : variants) {
      String key = "cli-" + jdk.key() + "-" + homes.size();
      Path home = setup.newHome(key);
      homes.put(variant.label(), home);
      mainHomes.put(variant, home);
      statusIds.put(variant, fill(home));
      if (!variant.env().containsKey("AGENT_MSG_STORE_HOST")) {
        hosts.add(variant.label(), home);
      }
      if (variant.everyCommand()) {
        Path hookHome = setup.newHome(key + "-hook");
        homes.put(variant.label() + ", hooks", hookHome);
        hookHomes.put(variant, hookHome);
        register(hookHome, "alice", "bob", "carol");
        hosts.add(variant.label() + ", hooks", hookHome);
      }
    }
  }

  /** {@code status}, {@code history} and the two hooks, for the variants that run them. */
  private List<Call> readsAndHooks(List<Variant> variants) throws IOException {
    List<Variant> every = variants.stream().filter(Variant::everyCommand).toList();
    List<Call> calls = new ArrayList<>();
    for (Variant variant : every) {
      List<String> args = List.of("status", statusIds.get(variant));
      calls.add(ours("status <id>", variant, args, mainHomes.get(variant), null, null));
    }
    for (Variant variant : every) {
      List<String> args = List.of("history", "bob", "-n", "20");
      calls.add(ours("history bob -n 20", variant, args, mainHomes.get(variant), null, null));
    }
    Path hookInput = setup.scratchFile("hook-input.json");
    Files.writeString(hookInput, HOOK_INPUT);
    for (Variant variant : every) {
      List<String> args = List.of("hook", "-s", "bob");
      calls.add(ours(HOOK_IDLE, variant, args, hookHomes.get(variant), hookInput, null));
    }
    for (Variant variant : every) {
      Path hookHome = hookHomes.get(variant);
      List<String> sendOne =
          List.of(setup.launcher().toString(), "send", "carol", BODY, "-s", "alice");
      Prepare prepare = () -> prepare(sendOne, setup.env(jdk, hookHome));
      List<String> args = List.of("hook", "-s", "carol");
      calls.add(ours(HOOK_NEW, variant, args, hookHome, hookInput, prepare));
    }
    return calls;
  }

  private List<String> notes() {
    List<String> all = new ArrayList<>(notes);
    if (rebuilds > 0) {
      all.add(
          rebuilds
              + " CLI call(s) were timed again because the launcher built the jar or recorded"
              + " a start-up cache during them.");
    }
    if (missedHost > 0) {
      all.add(
          missedHost
              + " native-client call(s) took more than "
              + (int) NATIVE_JVM_CPU_MILLIS
              + " ms of CPU (a JVM ran: the store host did not serve them, e.g. after the jar"
              + " changed) and were timed again once the hosts served"
              + (unserved > 0 ? "; " + unserved + " of them again without the host, kept" : ""));
    }
    StringBuilder starts = new StringBuilder("store hosts started per data home (host.log): ");
    homes.forEach(
        (name, home) ->
            starts.append(name).append(' ').append(StoreHosts.starts(home)).append(", "));
    all.add(starts.substring(0, starts.length() - 2));
    return all;
  }

  private Call ours(
      String command, Variant variant, List<String> args, Path home, Path stdin, Prepare prepare) {
    List<String> line = new ArrayList<>(List.of(setup.launcher().toString()));
    line.addAll(args);
    Map<String, String> env = new HashMap<>(setup.env(jdk, home));
    env.putAll(variant.env());
    return new Call(
        command, variant.label(), line, env, stdin, prepare, variant.label().equals(NATIVE));
  }

  private static Map<String, Row> rows(
      List<Call> calls, Map<String, List<double[]>> samples, Map<String, String> originals) {
    Map<String, Row> rows = new LinkedHashMap<>();
    for (Call call : calls) {
      List<Double> wall = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      for (double[] sample : samples.get(call.name())) {
        wall.add(sample[0]);
        cpu.add(sample[1]);
      }
      boolean floor = call.variant() == null;
      boolean theirs = ORIGINAL.equals(call.variant());
      Row row =
          new Row(
              call.command(),
              call.variant(),
              Stats.of(wall),
              Stats.of(cpu),
              floor || theirs ? null : originals.get(call.command()));
      rows.put(row.name(), row);
    }
    return rows;
  }

  private CallTimer.Sample measure(Call call) throws IOException, InterruptedException {
    if (call.prepare() != null) {
      call.prepare().run();
    }
    CallTimer.Sample sample = timeOnce(call);
    String diagnostics = Files.readString(stderr);
    boolean rebuilt =
        diagnostics.contains("agent-msg: building") || diagnostics.contains("agent-msg: recording");
    boolean notServed = call.nativeClient() && sample.cpuMillis() > NATIVE_JVM_CPU_MILLIS;
    if (rebuilt || notServed) {
      // The sources changed meanwhile and the launcher rebuilt the jar and its start-up cache, or
      // the host went away (it leaves when its jar changes): time it again once hosts serve.
      if (rebuilt) {
        rebuilds++;
      } else {
        missedHost++;
      }
      hosts.ensureServing();
      if (call.prepare() != null) {
        call.prepare().run();
      }
      sample = timeOnce(call);
      if (call.nativeClient() && sample.cpuMillis() > NATIVE_JVM_CPU_MILLIS) {
        unserved++;
      }
    }
    return sample;
  }

  private CallTimer.Sample timeOnce(Call call) throws IOException, InterruptedException {
    CallTimer.Sample sample = CallTimer.run(call.line(), call.env(), call.stdin(), stderr);
    if (sample.exitCode() != 0) {
      throw new IllegalStateException(
          call.name()
              + " exited "
              + sample.exitCode()
              + ": "
              + String.join(" ", call.line())
              + "\n"
              + Files.readString(stderr));
    }
    return sample;
  }

  private void prepare(List<String> line, Map<String, String> env)
      throws IOException, InterruptedException {
    Path prepareErr = setup.stderrFile("cli-prepare-" + jdk.key());
    CallTimer.Sample sample = CallTimer.run(line, env, null, prepareErr);
    if (sample.exitCode() != 0) {
      throw new IllegalStateException(
          String.join(" ", line)
              + " exited "
              + sample.exitCode()
              + ": "
              + Files.readString(prepareErr));
    }
  }

  /** Registers alice and bob and gives bob a history; returns a message id for `status`. */
  private static String fill(Path home) {
    try (AgentMessenger alice = open(home)) {
      alice.register("alice", AgentType.CODEX);
      alice.register("bob", AgentType.OTHER);
      String id = null;
      for (int i = 0; i < 25; i++) {
        Message sent = alice.send("bob", "history message " + i);
        id = id == null ? sent.id() : id;
      }
      return id;
    }
  }

  private static void register(Path home, String... names) {
    try (AgentMessenger messenger = open(home)) {
      for (String name : names) {
        messenger.register(name, name.equals("alice") ? AgentType.CODEX : AgentType.OTHER);
      }
    }
  }

  private static AgentMessenger open(Path home) {
    return AgentMessenger.open(
        Options.builder().home(home).agent("alice").warningListener(w -> {}).build());
  }
}
