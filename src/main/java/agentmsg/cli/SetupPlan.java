package agentmsg.cli;

import agentmsg.AgentMsgException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What {@code setup} writes for one agent CLI: each file with its content before and after the
 * merge. Every merge is worked out before anything is written, so a file that cannot be merged
 * changes no file. Immutable once built; not shared between threads.
 */
final class SetupPlan {
  static final List<String> TARGETS = List.of("claude-code", "codex", "opencode", "gemini");
  static final List<String> CLAUDE_CONTEXT_EVENTS =
      List.of("SessionStart", "UserPromptSubmit", "PostToolUse");
  static final List<String> CODEX_CONTEXT_EVENTS = CLAUDE_CONTEXT_EVENTS;
  static final List<String> GEMINI_CONTEXT_EVENTS =
      List.of("SessionStart", "BeforeAgent", "AfterTool");

  /**
   * How long the turn-end hook of Codex and Gemini CLI waits for mail. Both CLIs wait for that hook
   * before the agent goes idle, so it only looks for mail that came during the last answer.
   */
  static final int TURN_END_WAIT_SECONDS = 2;

  static final String SERVER = "agent-msg";
  static final String PLUGIN_MARK = "// agent-msg for OpenCode: written by `agent-msg setup";

  /** One file: what it is for, where, its text now (null: none) and after setup. */
  record Edit(String purpose, Path file, String before, String after) {
    boolean changes() {
      return !after.equals(before);
    }
  }

  /** Where the files go: a project folder, or the user's own config folders. */
  record Places(Path project, Path home, Path codexHome, Path opencodeConfig, boolean global) {}

  private final String target;
  private final String agent;
  private final Places places;
  private final Map<String, String> serverEnv;
  private final List<Edit> edits = new ArrayList<>();

  private SetupPlan(String target, String agent, Places places, Map<String, String> serverEnv) {
    this.target = target;
    this.agent = agent;
    this.places = places;
    this.serverEnv = serverEnv;
  }

  /**
   * The plan for {@code target}.
   *
   * @param serverEnv environment the MCP server entry passes on (e.g. the data home), maybe empty
   * @throws AgentMsgException {@code setup-conflict} if a file is there but cannot be merged
   */
  static SetupPlan of(String target, String agent, Places places, Map<String, String> serverEnv)
      throws IOException {
    SetupPlan plan = new SetupPlan(target, agent, places, serverEnv);
    switch (target) {
      case "claude-code" -> plan.claudeCode();
      case "codex" -> plan.codex();
      case "opencode" -> plan.opencode();
      case "gemini" -> plan.gemini();
      default -> throw new IllegalArgumentException("unknown setup target " + target);
    }
    return plan;
  }

  List<Edit> edits() {
    return List.copyOf(edits);
  }

  /** The command line an idle agent's background task runs to be woken by mail. */
  String watchLine() {
    return "agent-msg watch " + agent;
  }

  private void claudeCode() throws IOException {
    Path base = places.global() ? places.home().resolve(".claude") : places.project();
    instructions(base.resolve("CLAUDE.md"), true);
    // User scope: `claude mcp add -s user` keeps servers in ~/.claude.json, approved as they are.
    Path servers =
        places.global() ? places.home().resolve(".claude.json") : base.resolve(".mcp.json");
    json("MCP server", servers, config -> config.withEntry("mcpServers", SERVER, stdioServer()));
    if (!places.global()) {
      json(
          "approval of the project's MCP server (setup --write is your approval)",
          base.resolve(".claude").resolve("settings.local.json"),
          config -> config.withListed("enabledMcpjsonServers", SERVER));
    }
    Path settings =
        places.global() ? base.resolve("settings.json") : base.resolve(".claude/settings.json");
    json(
        "hooks: mail into the context, idle wake on Stop",
        settings,
        config ->
            config
                .withHook(CLAUDE_CONTEXT_EVENTS, contextHook(10))
                .withHook(List.of("Stop"), stopHook()));
  }

  private void codex() throws IOException {
    Path base = places.global() ? places.codexHome() : places.project().resolve(".codex");
    instructions(
        places.global() ? base.resolve("AGENTS.md") : places.project().resolve("AGENTS.md"), true);
    Path config = base.resolve("config.toml");
    String before = read(config);
    String after;
    try {
      after = CodexToml.withServer(before, SERVER, "agent-msg", serverArgs(), serverEnv);
    } catch (IllegalArgumentException e) {
      throw conflict(config, e);
    }
    edits.add(new Edit("MCP server", config, before, after));
    json(
        "hooks: mail into the context, mail at turn end on Stop (trust them in Codex's /hooks)",
        base.resolve("hooks.json"),
        hooks ->
            hooks
                .withHook(CODEX_CONTEXT_EVENTS, contextHook(10))
                .withHook(List.of("Stop"), turnEndHook(30)));
  }

  private void opencode() throws IOException {
    Path base = places.global() ? places.opencodeConfig() : places.project();
    instructions(base.resolve("AGENTS.md"), false);
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("type", "local");
    List<String> command = new ArrayList<>(List.of("agent-msg"));
    command.addAll(serverArgs());
    server.put("command", command);
    server.put("enabled", true);
    if (!serverEnv.isEmpty()) {
      server.put("environment", serverEnv);
    }
    json(
        "MCP server",
        base.resolve("opencode.json"),
        config -> config.withEntry("mcp", SERVER, server));
    Path plugin =
        (places.global() ? base : base.resolve(".opencode")).resolve("plugin/agent-msg.js");
    String before = read(plugin);
    if (before != null && !before.startsWith(PLUGIN_MARK)) {
      throw conflict(plugin, new IllegalArgumentException("it was not written by agent-msg setup"));
    }
    String after = resource("opencode-plugin.js").replace("__AGENT__", agent);
    edits.add(new Edit("plugin: wakes an idle session when mail comes", plugin, before, after));
  }

  private void gemini() throws IOException {
    Path base = places.global() ? places.home().resolve(".gemini") : places.project();
    instructions(base.resolve("GEMINI.md"), true);
    Path settings =
        places.global() ? base.resolve("settings.json") : base.resolve(".gemini/settings.json");
    Map<String, Object> hook = contextHook(10_000); // Gemini CLI counts hook timeouts in ms
    hook.put("name", SERVER);
    Map<String, Object> turnEnd = turnEndHook(30_000);
    turnEnd.put("name", SERVER + "-turn-end");
    json(
        "MCP server and hooks: mail into the context, mail at turn end on AfterAgent",
        settings,
        config ->
            config
                .withEntry("mcpServers", SERVER, stdioServer())
                .withHook(GEMINI_CONTEXT_EVENTS, hook)
                .withHook(List.of("AfterAgent"), turnEnd));
  }

  private void instructions(Path file, boolean hooked) throws IOException {
    String before = read(file);
    String after = SetupCommand.withBlock(before, SetupCommand.instructions(agent, hooked));
    edits.add(new Edit("instructions", file, before, after));
  }

  private void json(String purpose, Path file, UnaryOperator<AgentConfig> merge)
      throws IOException {
    String before = read(file);
    try {
      AgentConfig merged = merge.apply(AgentConfig.parse(before));
      String after = merged.text();
      // Unchanged content keeps its own layout: a second setup changes no byte.
      if (before != null && AgentConfig.parse(before).text().equals(after)) {
        after = before;
      }
      edits.add(new Edit(purpose, file, before, after));
    } catch (IllegalArgumentException e) {
      throw conflict(file, e);
    }
  }

  private List<String> serverArgs() {
    return List.of("mcp", "--agent", agent);
  }

  private Map<String, Object> stdioServer() {
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("command", "agent-msg");
    server.put("args", serverArgs());
    if (!serverEnv.isEmpty()) {
      server.put("env", serverEnv);
    }
    return server;
  }

  private Map<String, Object> contextHook(int timeout) {
    Map<String, Object> hook = new LinkedHashMap<>();
    hook.put("type", "command");
    hook.put("command", "agent-msg hook --agent " + agent);
    hook.put("timeout", timeout);
    return hook;
  }

  /**
   * Claude Code runs it in the background when a turn ends; it exits 2 with a digest when mail
   * comes, which wakes the session ({@code asyncRewake}). It never blocks the turn, so the
   * Stop-hook block cap does not apply.
   */
  private Map<String, Object> stopHook() {
    Map<String, Object> hook = new LinkedHashMap<>();
    hook.put("type", "command");
    hook.put("command", watchLine() + " --rewake --timeout 3300");
    hook.put("timeout", 3600);
    hook.put("asyncRewake", true);
    hook.put(
        "rewakeMessage", "agent-msg: new mail for " + agent + " (agent-msg inbox " + agent + ")");
    return hook;
  }

  /**
   * Codex's {@code Stop} and Gemini CLI's {@code AfterAgent}: both run it before the agent goes
   * idle and take exit 2 with text on stderr as the prompt to go on with. {@code watch --rewake}
   * exits 2 with its digest on stderr only for mail it did not wake the agent for, so each message
   * continues a turn at most once and the hook can never hold the agent in a loop. Its own session
   * keeps it apart from a background watcher armed for the same agent.
   */
  private Map<String, Object> turnEndHook(int timeout) {
    Map<String, Object> hook = new LinkedHashMap<>();
    hook.put("type", "command");
    hook.put(
        "command", watchLine() + " --rewake --session turn-end --timeout " + TURN_END_WAIT_SECONDS);
    hook.put("timeout", timeout);
    return hook;
  }

  private AgentMsgException conflict(Path file, IllegalArgumentException cause) {
    return new AgentMsgException(
        "setup-conflict",
        "cannot merge into "
            + file
            + ": "
            + cause.getMessage()
            + "; fix it, or merge what 'agent-msg setup "
            + target
            + "' prints by hand");
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
  }

  private static String resource(String name) {
    try (InputStream in = SetupPlan.class.getResourceAsStream("/agentmsg/setup/" + name)) {
      if (in == null) {
        throw new IllegalStateException("resource /agentmsg/setup/" + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
