package agentmsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Adds an MCP server table to a Codex {@code config.toml}. The file is parsed only to check it and
 * to see whether the server is there; the table is appended as text, so the user's comments and
 * layout stay as they were (Codex's own {@code codex mcp add} drops them). Thread-safe.
 */
final class CodexToml {
  private static final TomlMapper MAPPER = new TomlMapper();

  private CodexToml() {}

  /**
   * {@code existing} (null: a new file) with {@code [mcp_servers.<name>]} appended, or unchanged if
   * it has that server already.
   *
   * @throws IllegalArgumentException if {@code existing} is not valid TOML, or its {@code
   *     mcp_servers} is not a table
   */
  public static String withServer(
      String existing, String name, String command, List<String> args, Map<String, String> env) {
    String text = existing == null ? "" : existing;
    JsonNode root;
    try {
      root = text.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("it is not valid TOML");
    }
    JsonNode servers = root.get("mcp_servers");
    if (servers != null && !servers.isObject()) {
      throw new IllegalArgumentException("its mcp_servers is not a table");
    }
    if (servers != null && servers.has(name)) {
      return text;
    }
    StringBuilder table = new StringBuilder();
    if (!text.isEmpty()) {
      table.append(text.endsWith("\n") ? "\n" : "\n\n");
    }
    table.append("[mcp_servers.").append(key(name)).append("]\n");
    table.append("command = ").append(string(command)).append('\n');
    table.append("args = [");
    for (int i = 0; i < args.size(); i++) {
      table.append(i == 0 ? "" : ", ").append(string(args.get(i)));
    }
    table.append("]\n");
    if (!env.isEmpty()) {
      table.append("env = { ");
      int i = 0;
      for (Map.Entry<String, String> entry : env.entrySet()) {
        table.append(i++ == 0 ? "" : ", ");
        table.append(key(entry.getKey())).append(" = ").append(string(entry.getValue()));
      }
      table.append(" }\n");
    }
    return text + table;
  }

  private static String key(String key) {
    return key.matches("[A-Za-z0-9_-]+") ? key : string(key);
  }

  /** A TOML basic string. */
  private static String string(String value) {
    StringBuilder quoted = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\t' -> quoted.append("\\t");
        case '\r' -> quoted.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            quoted.append(String.format("\\u%04X", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
