package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agentmsg.AgentMsgException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SetupPlanTest {
  @TempDir Path project;
  @TempDir Path home;

  private SetupPlan.Places places(boolean global) {
    return new SetupPlan.Places(
        project, home, home.resolve(".codex"), home.resolve(".config/opencode"), global);
  }

  private SetupPlan plan(String target, boolean global) throws IOException {
    return SetupPlan.of(target, "bob", places(global), Map.of());
  }

  private static void apply(SetupPlan plan) throws IOException {
    for (SetupPlan.Edit edit : plan.edits()) {
      Files.createDirectories(edit.file().getParent());
      Files.writeString(edit.file(), edit.after());
    }
  }

  /** Each file, by its path under the project (or home), as written into empty folders. */
  private Map<String, String> written(SetupPlan plan, Path base) {
    Map<String, String> files = new TreeMap<>();
    for (SetupPlan.Edit edit : plan.edits()) {
      assertThat(edit.before()).isNull();
      files.put(base.relativize(edit.file()).toString().replace('\\', '/'), edit.after());
    }
    return files;
  }

  private static String fixture(String path) throws IOException {
    try (InputStream in = SetupPlanTest.class.getResourceAsStream("/setup/" + path)) {
      assertThat(in).as("fixture /setup/" + path).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-code", "codex", "opencode", "gemini"})
  void projectSetupWritesTheRecordedFilesOfEachCli(String target) throws IOException {
    Map<String, String> files = written(plan(target, false), project);
    List<String> expected =
        Map.of(
                "claude-code",
                    List.of(
                        ".claude/settings.json",
                        ".claude/settings.local.json",
                        ".mcp.json",
                        "CLAUDE.md"),
                "codex", List.of(".codex/config.toml", ".codex/hooks.json", "AGENTS.md"),
                "opencode", List.of(".opencode/plugin/agent-msg.js", "AGENTS.md", "opencode.json"),
                "gemini", List.of(".gemini/settings.json", "GEMINI.md"))
            .get(target);
    assertThat(files.keySet()).containsExactlyElementsOf(expected);
    for (Map.Entry<String, String> file : files.entrySet()) {
      assertThat(file.getValue())
          .as(file.getKey())
          .isEqualTo(fixture(target + "/" + file.getKey()));
    }
  }

  @Test
  void globalSetupWritesTheUsersOwnConfigFiles() throws IOException {
    assertThat(written(plan("claude-code", true), home).keySet())
        .containsExactly(".claude.json", ".claude/CLAUDE.md", ".claude/settings.json");
    assertThat(written(plan("codex", true), home).keySet())
        .containsExactly(".codex/AGENTS.md", ".codex/config.toml", ".codex/hooks.json");
    assertThat(written(plan("opencode", true), home).keySet())
        .containsExactly(
            ".config/opencode/AGENTS.md",
            ".config/opencode/opencode.json",
            ".config/opencode/plugin/agent-msg.js");
    assertThat(written(plan("gemini", true), home).keySet())
        .containsExactly(".gemini/GEMINI.md", ".gemini/settings.json");
    assertThat(Files.list(project)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-code", "codex", "opencode", "gemini"})
  void aSecondSetupChangesNothing(String target) throws IOException {
    apply(plan(target, false));
    assertThat(plan(target, false).edits()).noneMatch(SetupPlan.Edit::changes);
  }

  @Test
  void setupMergesIntoWhatTheUserHas() throws IOException {
    Files.createDirectories(project.resolve(".claude"));
    Files.writeString(
        project.resolve(".mcp.json"),
        "{\"mcpServers\":{\"other\":{\"command\":\"x\"},"
            + "\"agent-msg\":{\"command\":\"/opt/agent-msg\",\"args\":[\"mcp\"]}}}");
    Files.writeString(
        project.resolve(".claude/settings.local.json"),
        "{\"enabledMcpjsonServers\":[\"other\"],\"permissions\":{\"allow\":[\"Bash(ls)\"]}}");
    Files.writeString(
        project.resolve(".claude/settings.json"),
        "{\"model\":\"opus\",\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\","
            + "\"command\":\"say done\"}]}]}}");
    Files.createDirectories(project.resolve(".codex"));
    String toml = "# my settings\nmodel = \"o4\"\n\n[mcp_servers.other]\ncommand = \"x\"\n";
    Files.writeString(project.resolve(".codex/config.toml"), toml);
    apply(plan("claude-code", false));
    apply(plan("codex", false));

    String servers = Files.readString(project.resolve(".mcp.json"));
    assertThat(servers).contains("\"other\"", "/opt/agent-msg").doesNotContain("--agent");
    assertThat(Files.readString(project.resolve(".claude/settings.local.json")))
        .contains("\"other\", \"agent-msg\"", "Bash(ls)");
    String settings = Files.readString(project.resolve(".claude/settings.json"));
    assertThat(settings)
        .contains("\"model\" : \"opus\"", "say done", "agent-msg watch bob --rewake");
    String codex = Files.readString(project.resolve(".codex/config.toml"));
    assertThat(codex)
        .startsWith(toml)
        .endsWith(
            "\n[mcp_servers.agent-msg]\ncommand = \"agent-msg\"\nargs = [\"mcp\", \"--agent\","
                + " \"bob\"]\n");
  }

  @Test
  void aFileThatCannotBeParsedIsASetupConflict() throws IOException {
    Files.createDirectories(project.resolve(".codex"));
    Files.writeString(project.resolve(".codex/config.toml"), "[mcp_servers\nbroken");
    assertThatThrownBy(() -> plan("codex", false))
        .isInstanceOf(AgentMsgException.class)
        .hasMessageContaining("config.toml")
        .hasMessageContaining("not valid TOML")
        .extracting(e -> ((AgentMsgException) e).code())
        .isEqualTo("setup-conflict");
    Files.writeString(project.resolve("opencode.json"), "[1, 2]");
    assertThatThrownBy(() -> plan("opencode", false)).hasMessageContaining("not a JSON object");
    Files.createDirectories(project.resolve(".gemini"));
    Files.writeString(project.resolve(".gemini/settings.json"), "{\"hooks\": []}");
    assertThatThrownBy(() -> plan("gemini", false)).hasMessageContaining("\"hooks\" is not");
    Files.delete(project.resolve("opencode.json"));
    Files.createDirectories(project.resolve(".opencode/plugin"));
    Files.writeString(project.resolve(".opencode/plugin/agent-msg.js"), "// mine\n");
    assertThatThrownBy(() -> plan("opencode", false))
        .hasMessageContaining("not written by agent-msg setup");
  }

  @Test
  void turnEndHooksOfCodexAndGeminiOnlyLookForMailBrieflyInTheirOwnSession() throws IOException {
    String line =
        "agent-msg watch bob --rewake --session turn-end --timeout "
            + SetupPlan.TURN_END_WAIT_SECONDS;
    for (String target : List.of("codex", "gemini")) {
      String hooks =
          plan(target, false).edits().stream()
              .filter(edit -> edit.after().contains("\"hooks\""))
              .findFirst()
              .orElseThrow()
              .after();
      assertThat(hooks).as(target).contains(line);
    }
    assertThat(SetupPlan.TURN_END_WAIT_SECONDS).isLessThan(30);
  }

  @Test
  void setupNamesTheTrustEachCliAsksForBeforeItUsesTheFiles() {
    assertThat(SetupCommand.trustNote("claude-code", false)).contains("trust this folder");
    assertThat(SetupCommand.trustNote("claude-code", true)).isNull();
    assertThat(SetupCommand.trustNote("codex", false)).contains("trusted project", "/hooks");
    assertThat(SetupCommand.trustNote("codex", true)).doesNotContain("project").contains("/hooks");
    assertThat(SetupCommand.trustNote("gemini", true)).contains("trusted folder");
    assertThat(SetupCommand.trustNote("opencode", false)).isNull();
  }
}
